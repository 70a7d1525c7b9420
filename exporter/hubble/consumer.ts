/** The scrape client's page consumer for Hubble metrics pages: the streaming parser feeding the Hubble normaliser. */
import { pageConsumer } from '../cilium/consumers';
import type { PageConsumer } from '../scrape/client';
import { keepHubbleFamily } from './catalogue';
import type { ReadContext } from './context';
import { HubbleNormaliser, type HubbleSample } from './normalise';

export function hubblePageConsumer(
  context: ReadContext,
  maxSeries: number
): (contentType: string | undefined) => PageConsumer<HubbleSample> {
  return (contentType) => pageConsumer(contentType, new HubbleNormaliser(context, maxSeries), keepHubbleFamily);
}
