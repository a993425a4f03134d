/**
 * EC2 ids (`sg-…`, `sgr-…`, `pl-…`) compare case-insensitively; everything the engine stores or
 * compares goes through this one spelling, whether it came from an event or from the API.
 */
export function lowerId(id: string): string;
export function lowerId(id: string | undefined): string | undefined;
export function lowerId(id: string | undefined): string | undefined {
  return id === undefined ? undefined : id.trim().toLowerCase();
}
