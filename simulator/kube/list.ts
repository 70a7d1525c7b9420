/**
 * LIST answers: the objects a request selects, a page of them with a continue token when it asks for a limit (as
 * the API server pages, at the resourceVersion of the first page), and the List document streamed in batches.
 */
import type { ServerResponse } from 'node:http';
import { drainedOrClosed } from '../http/responders';
import { countAtOrBefore } from '../sorted';
import type { KubeRecord } from './objects';
import { integerParam, matcher, type Selection } from './request';
import { expired, KubeError, kubeError } from './status';
import type { KubeStore, ResourceStore } from './store';

/** Objects serialised per write. */
const LIST_BATCH = 500;

export interface ListPage {
  records: KubeRecord[];
  /** The List's metadata: resourceVersion, and continue and remainingItemCount when there is more. */
  metadata: Record<string, unknown>;
}

/** The objects of one LIST request (the store synced first); 400 for a bad limit or token, 410 for an old token. */
export function selectPage(
  store: KubeStore,
  resource: ResourceStore,
  params: URLSearchParams,
  selection: Selection
): ListPage {
  const match = matcher(selection, resource.type);
  const limit = integerParam(params, 'limit', 0, Number.MAX_SAFE_INTEGER);
  const token = params.get('continue');
  let listRv = store.resourceVersion;
  let records: KubeRecord[];
  const metadata: Record<string, unknown> = {};
  if (limit > 0 || token) {
    const keys = resource.keysInOrder();
    let start = 0;
    if (token) {
      const decoded = decodeContinue(token);
      if (decoded.rv < resource.compactedThrough) {
        throw new KubeError(
          expired(
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'
          )
        );
      }
      listRv = decoded.rv;
      start = countAtOrBefore(keys.length, (i) => keys[i] <= decoded.key);
    }
    records = [];
    let i = start;
    for (; i < keys.length && (limit === 0 || records.length < limit); i++) {
      const record = resource.get(keys[i]);
      if (record && match(record)) {
        records.push(record);
      }
    }
    // Only whether one more object matches: counting them all would make paging through a list quadratic.
    let more = false;
    for (let j = i; j < keys.length && !more; j++) {
      const record = resource.get(keys[j]);
      more = record !== undefined && match(record);
    }
    if (more) {
      metadata.continue = encodeContinue(listRv, records[records.length - 1].key);
      if (selection.namespace === null && selection.labels.length === 0 && selection.fields.length === 0) {
        metadata.remainingItemCount = keys.length - i;
      }
    }
  } else {
    records = resource.records().filter(match);
  }
  metadata.resourceVersion = String(listRv);
  return { records, metadata };
}

/** Writes the List document, a batch of objects at a time, waiting for the client to take each. */
export async function writeList(res: ServerResponse, type: ResourceStore['type'], page: ListPage): Promise<void> {
  const { records, metadata } = page;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  const head = `{"kind":"${type.api.kind}List","apiVersion":"${type.api.apiVersion}","metadata":${JSON.stringify(metadata)},"items":[`;
  let pending = head;
  for (let i = 0; i < records.length; i += LIST_BATCH) {
    const end = Math.min(records.length, i + LIST_BATCH);
    for (let j = i; j < end; j++) {
      pending += (j === 0 ? '' : ',') + type.toJson(records[j]);
    }
    if (!res.write(pending)) {
      await drainedOrClosed(res);
    }
    pending = '';
    if (res.destroyed) {
      return;
    }
  }
  res.end(pending + ']}');
}

function encodeContinue(rv: number, key: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: key })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; key: string } {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof value.rv === 'number' && Number.isInteger(value.rv) && typeof value.start === 'string') {
      return { rv: value.rv, key: value.start };
    }
  } catch {
    // answered below
  }
  throw kubeError('BadRequest', 'continue key is not valid: it was not returned by a previous list of this server');
}
