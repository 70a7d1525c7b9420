/**
 * Page consumers for the scrape client: the streaming parser feeding the normaliser of the target's component (the
 * agent's and the operator's here, the Hubble metrics page's in hubble/consumer.ts).
 */
import type { PageConsumer } from '../scrape/client';
import { type SampleHandler, TextParser, contentTypeFormat } from '../scrape/textparse';
import { keepAgentFamily, keepOperatorFamily } from './catalogue';
import { AgentNormaliser, OperatorNormaliser } from './normalise';
import type { AgentSample, OperatorSample } from './sample';

interface Normaliser<T> {
  accept: SampleHandler;
  finish(): T;
}

/** A consumer that parses a page, keeping only `keepFamily`'s families, into a fresh normaliser. */
export function pageConsumer<T>(
  contentType: string | undefined,
  normaliser: Normaliser<T>,
  keepFamily: (name: string) => boolean
): PageConsumer<T> {
  const parser = new TextParser(normaliser.accept, { keepFamily, format: contentTypeFormat(contentType) });
  return {
    write: (chunk) => parser.write(chunk),
    end: () => {
      parser.end();
      return normaliser.finish();
    },
  };
}

export function agentPageConsumer(contentType: string | undefined): PageConsumer<AgentSample> {
  return pageConsumer(contentType, new AgentNormaliser(), keepAgentFamily);
}

export function operatorPageConsumer(contentType: string | undefined): PageConsumer<OperatorSample> {
  return pageConsumer(contentType, new OperatorNormaliser(), keepOperatorFamily);
}
