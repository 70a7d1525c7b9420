/** The scrape client's page consumer for Hubble metrics pages: the streaming parser feeding the Hubble normaliser. */
import type { PageConsumer } from '../scrape/client';
import { TextParser, contentTypeFormat } from '../scrape/textparse';
import { keepHubbleFamily } from './catalogue';
import type { ReadContext } from './context';
import { HubbleNormaliser, type HubbleSample } from './normalise';

export function hubblePageConsumer(context: ReadContext, maxSeries: number): (contentType: string | undefined) => PageConsumer<HubbleSample> {
  return (contentType) => {
    const normaliser = new HubbleNormaliser(context, maxSeries);
    const parser = new TextParser(normaliser.accept, { keepFamily: keepHubbleFamily, format: contentTypeFormat(contentType) });
    return {
      write: (chunk) => parser.write(chunk),
      end: () => {
        parser.end();
        return normaliser.finish();
      },
    };
  };
}
