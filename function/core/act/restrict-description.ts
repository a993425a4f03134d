/**
 * The description restrict writes on each replacement rule: what it replaced, by whom and
 * when, within what EC2 accepts in a rule description.
 */
import type { Principal } from '../model/principal';

/** EC2 rejects longer rule descriptions. */
export const EC2_DESCRIPTION_LIMIT = 255;

/** Everything outside the characters EC2 accepts in a VPC security-group rule description. */
const NOT_EC2_DESCRIPTION_CHAR = /[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g;

/** What the description names as the author when there is no principal (the scheduled sweep). */
const SWEEP_ACTOR = 'sg-sentry sweep';

/** Makes text acceptable to EC2 as (part of) a rule description. */
function ec2DescriptionText(text: string): string {
  return text.replace(NOT_EC2_DESCRIPTION_CHAR, '_');
}

/** The principal as the description names it: its ARN, else the service that acted for it. */
export function actorLabel(principal: Principal | undefined): string {
  if (principal === undefined) return SWEEP_ACTOR;
  return principal.arn ?? principal.invokedBy ?? principal.type ?? 'unknown principal';
}

/** `2026-11-27T10:00:00Z`: CloudTrail's own format, seconds precision. */
function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Cuts the middle out, so the start (partition, account) and the end (session, user) stay. */
function middleTruncate(text: string, room: number): string {
  if (text.length <= room) return text;
  if (room <= 3) return text.slice(0, Math.max(room, 0));
  const keep = room - 3;
  const head = Math.floor(keep * 0.4);
  return `${text.slice(0, head)}...${text.slice(text.length - (keep - head))}`;
}

/**
 * `sg-sentry: replaced 0.0.0.0/0 (by arn:aws:sts::…:assumed-role/admin/alice, 2026-11-27T10:00:00Z)`,
 * within EC2's 255 characters and character set. Only the actor is shortened: the prefix, the
 * replaced CIDR and the time always survive. Without `at` the time is left out.
 */
export function restrictDescription(replaced: string, actor: string, at?: Date): string {
  const head = `sg-sentry: replaced ${ec2DescriptionText(replaced).slice(0, 64)} (by `;
  const tail = `${at === undefined ? '' : `, ${isoSeconds(at)}`})`;
  const who = middleTruncate(ec2DescriptionText(actor), EC2_DESCRIPTION_LIMIT - head.length - tail.length);
  return `${head}${who}${tail}`;
}
