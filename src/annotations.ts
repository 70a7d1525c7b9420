import type { AnnotationQuery, AnnotationSupport } from '@grafana/data';
import { of } from 'rxjs';

import { AnnotationQueryEditor } from './components/AnnotationQueryEditor';
import { DEFAULT_ANNOTATION_KIND } from './queryCatalog';
import type { AnnotationKind } from './contract';
import { framesToAnnotationEvents } from './responses';
import type { ScopeDataQuery } from './types';

/**
 * Annotations through Grafana's annotation support object: the editor stores a ScopeDataQuery with
 * `annotationKind` as the annotation's target, Grafana runs it through `query()` (which posts it to
 * `/api/v1/annotations`) and the frames come back here as events.
 */
export function createAnnotationSupport(): AnnotationSupport<ScopeDataQuery> {
  return {
    QueryEditor: AnnotationQueryEditor,
    getDefaultQuery: () => ({ annotationKind: DEFAULT_ANNOTATION_KIND }),
    prepareAnnotation(json: AnnotationQuery<ScopeDataQuery>): AnnotationQuery<ScopeDataQuery> {
      // Older or hand-written dashboards may keep the kind on the annotation itself instead of on its target.
      const legacyKind = (json as { annotationKind?: AnnotationKind }).annotationKind;
      const target: ScopeDataQuery = {
        refId: 'Anno',
        ...(json.target ?? {}),
        annotationKind: json.target?.annotationKind ?? legacyKind ?? DEFAULT_ANNOTATION_KIND,
      };
      return { ...json, target };
    },
    prepareQuery(anno: AnnotationQuery<ScopeDataQuery>): ScopeDataQuery | undefined {
      if (!anno.target) {
        return undefined;
      }
      return {
        ...anno.target,
        refId: anno.target.refId || 'Anno',
        annotationKind: anno.target.annotationKind ?? DEFAULT_ANNOTATION_KIND,
      };
    },
    processEvents: (_anno, frames) => of(framesToAnnotationEvents(frames)),
  };
}
