/** Page consumers for the scrape client: the streaming parser feeding the normaliser of the target's component. */
import type { PageConsumer } from '../scrape/client';
import { TextParser, contentTypeFormat } from '../scrape/textparse';
import { keepAgentFamily, keepOperatorFamily } from './catalogue';
import { AgentNormaliser, OperatorNormaliser } from './normalise';
import type { AgentSample, OperatorSample } from './sample';

export function agentPageConsumer(contentType: string | undefined): PageConsumer<AgentSample> {
  const normaliser = new AgentNormaliser();
  const parser = new TextParser(normaliser.accept, { keepFamily: keepAgentFamily, format: contentTypeFormat(contentType) });
  return {
    write: (chunk) => parser.write(chunk),
    end: () => {
      parser.end();
      return normaliser.finish();
    },
  };
}

export function operatorPageConsumer(contentType: string | undefined): PageConsumer<OperatorSample> {
  const normaliser = new OperatorNormaliser();
  const parser = new TextParser(normaliser.accept, { keepFamily: keepOperatorFamily, format: contentTypeFormat(contentType) });
  return {
    write: (chunk) => parser.write(chunk),
    end: () => {
      parser.end();
      return normaliser.finish();
    },
  };
}
