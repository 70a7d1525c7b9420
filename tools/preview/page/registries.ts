/**
 * The registries Grafana's frontend fills at start-up and @grafana/data leaves empty: the transformations
 * (`transformDataFrame` looks each one up by id and silently skips unknown ids) and the field config options
 * (`applyFieldOverrides` applies a default or an override property only when its id is registered). The standard
 * options are registered with @grafana/data's own processors; a panel's custom options (`custom.*`) are registered
 * from what its JSON uses, as its panel plugin would have registered them.
 */
import {
  booleanOverrideProcessor,
  dataLinksOverrideProcessor,
  displayNameOverrideProcessor,
  FieldConfigOptionsRegistry,
  identityOverrideProcessor,
  numberOverrideProcessor,
  standardTransformers,
  standardTransformersRegistry,
  stringOverrideProcessor,
  thresholdsOverrideProcessor,
  valueMappingsOverrideProcessor,
  type DataTransformerInfo,
  type FieldConfigPropertyItem,
  type FieldOverrideContext,
} from '@grafana/data';

import { GRAFANA_VERSION } from '../../browser-host/runtime';
import type { PanelJson } from '../dashboard';

let transformersReady = false;

/**
 * A registry item holds the transformation itself up to Grafana 12 (12.4.10's @grafana/data) and a function that
 * loads it from Grafana 13 (13.1.1's); the page registers them as the release it runs on expects.
 */
const TRANSFORMATIONS_LOAD_LAZILY = Number(GRAFANA_VERSION.split('.')[0]) >= 13;

/** Registers every standard transformation once, the way Grafana's app does at start-up. */
export function registerTransformers(): void {
  if (transformersReady) {
    return;
  }
  transformersReady = true;
  const infos = Object.values(standardTransformers as Record<string, DataTransformerInfo>);
  const seen = new Set<string>();
  const items = infos
    .filter((info) => !seen.has(info.id) && seen.add(info.id))
    .map((info) => ({
      id: info.id,
      name: info.name,
      description: info.description,
      editor: () => null,
      transformation: TRANSFORMATIONS_LOAD_LAZILY ? () => Promise.resolve(info) : info,
    }));
  standardTransformersRegistry.setInit(() => items as never);
}

/** Transformation ids of a panel that no registered transformation answers to (Grafana would skip them). */
export function unknownTransformations(panel: PanelJson): string[] {
  registerTransformers();
  return (panel.transformations ?? [])
    .filter((t) => !t.disabled && !standardTransformersRegistry.getIfExists(t.id))
    .map((t) => t.id);
}

type Processor = (value: unknown, context: FieldOverrideContext, settings?: unknown) => unknown;

const STANDARD: Array<[string, Processor]> = [
  ['unit', stringOverrideProcessor as Processor],
  ['decimals', numberOverrideProcessor as Processor],
  ['min', numberOverrideProcessor as Processor],
  ['max', numberOverrideProcessor as Processor],
  ['fieldMinMax', booleanOverrideProcessor as Processor],
  ['displayName', displayNameOverrideProcessor as Processor],
  ['noValue', stringOverrideProcessor as Processor],
  ['description', stringOverrideProcessor as Processor],
  ['thresholds', thresholdsOverrideProcessor as Processor],
  ['mappings', valueMappingsOverrideProcessor as Processor],
  ['color', identityOverrideProcessor as Processor],
  ['links', dataLinksOverrideProcessor as Processor],
  ['filterable', booleanOverrideProcessor as Processor],
  ['nullValueMode', identityOverrideProcessor as Processor],
];

function item(id: string, path: string, isCustom: boolean, process: Processor): FieldConfigPropertyItem {
  return {
    id,
    path,
    name: id,
    isCustom,
    process,
    override: () => null,
    editor: () => null,
    shouldApply: () => true,
  } as unknown as FieldConfigPropertyItem;
}

/** Every `custom.*` option a panel's defaults or overrides mention, top-level keys only (as Grafana registers). */
function customOptionPaths(panel: PanelJson): string[] {
  const paths = new Set<string>(Object.keys(panel.fieldConfig?.defaults.custom ?? {}));
  for (const rule of panel.fieldConfig?.overrides ?? []) {
    for (const property of rule.properties) {
      if (property.id.startsWith('custom.')) {
        paths.add(property.id.slice('custom.'.length));
      }
    }
  }
  return [...paths];
}

/** The option registry of one panel: the standard options plus the custom ones its JSON uses. */
export function fieldConfigRegistryFor(panel: PanelJson): FieldConfigOptionsRegistry {
  const items = [
    ...STANDARD.map(([id, process]) => item(id, id, false, process)),
    ...customOptionPaths(panel).map((path) =>
      item(`custom.${path}`, path, true, identityOverrideProcessor as Processor)
    ),
  ];
  const registry = new FieldConfigOptionsRegistry(() => items);
  return registry;
}

/** Override property ids of a panel that the registry does not know (Grafana would ignore them). */
export function unknownOverrideProperties(panel: PanelJson): string[] {
  const registry = fieldConfigRegistryFor(panel);
  const unknown = new Set<string>();
  for (const rule of panel.fieldConfig?.overrides ?? []) {
    for (const property of rule.properties) {
      if (!registry.getIfExists(property.id)) {
        unknown.add(property.id);
      }
    }
  }
  return [...unknown];
}
