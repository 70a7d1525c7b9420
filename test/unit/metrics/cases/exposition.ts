/** An expected family text, written as it appears on /metrics: the template's first line break is dropped. */
export function exposition(text: TemplateStringsArray): string {
  return text.raw[0].slice(1);
}
