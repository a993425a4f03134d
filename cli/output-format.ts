/** `--format text|json|sarif` (and `--json`, the older spelling of `--format json`) for check and scan. */
import { CliError } from './errors';
import type { Io } from './io';
import type { RunDocument } from './run-document';
import { sarifLog } from './sarif';

export const OUTPUT_FORMATS = ['text', 'json', 'sarif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const FORMAT_OPTIONS = {
  format: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function outputFormat(command: string, values: { format?: string | undefined; json?: boolean | undefined }): OutputFormat {
  const format = values.format;
  if (format !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new CliError(`${command}: --format ${format}: expected one of ${OUTPUT_FORMATS.join(', ')} (see sg-sentry ${command} --help)`);
  }
  if (values.json === true && format !== undefined && format !== 'json') {
    throw new CliError(`${command}: --json and --format ${format} ask for two formats; give one`);
  }
  return values.json === true ? 'json' : ((format as OutputFormat | undefined) ?? 'text');
}

/** The machine formats: the document as JSON, or as a SARIF log. */
export function printDocument(document: RunDocument, format: Exclude<OutputFormat, 'text'>, io: Io): void {
  io.out(`${JSON.stringify(format === 'sarif' ? sarifLog(document) : document, null, 2)}\n`);
}
