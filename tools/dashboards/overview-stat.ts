/** The stat both overview rows are made of. */
import {
  type DatasourceRef,
  type SizedPanel,
  type StatSpec,
  color,
  stat,
  steps,
  withPanelLinks,
} from './grafana';
import { panelViewLink } from './links';

/**
 * A stat of an overview row: 3 columns by 4 lines, the value over its sparkline on a background of its threshold's
 * colour (green, red from 1 unless the spec says otherwise), named inside, and linked to the panel of the same
 * dashboard that explains it.
 */
export function overviewStat(
  dashboardUid: string,
  spec: Omit<StatSpec, 'w' | 'h' | 'calc'> & { calc?: StatSpec['calc'] },
  explainedBy: { panelId: number; title: string },
  datasource: DatasourceRef
): SizedPanel {
  return withPanelLinks(
    stat(
      {
        w: 3,
        h: 4,
        calc: 'lastNotNull',
        colorMode: 'background',
        graphMode: 'area',
        textMode: 'value_and_name',
        decimals: 0,
        thresholds: steps(color.ok, [1, color.bad]),
        ...spec,
      },
      datasource
    ),
    [panelViewLink(dashboardUid, explainedBy.panelId, `See "${explainedBy.title}"`)]
  );
}
