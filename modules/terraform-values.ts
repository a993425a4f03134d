/**
 * Props of the construct may be plain values (a cdktf app) or Terraform tokens (the module
 * stack passes `var.*`). These helpers decide at synth time when the value is plain and emit a
 * Terraform expression when it is a token, so the construct has one code path for both.
 *
 * A `count` must be known at plan time, so only `create_sns_topic` and whether `sweep_schedule`
 * is null (callers write both as literals) decide counts. Every other condition gates
 * attributes, map entries and dynamic blocks, which may wait for values Terraform learns only
 * at apply (say `kms_key_arn = aws_kms_key.k.arn` on the first apply).
 */
import { Fn, IResolvable, Op, TerraformResource, Token, conditional, propertyAccess } from 'cdktf';

/** A condition known now (boolean) or only to Terraform (a bool expression). */
export type Condition = boolean | IResolvable;

export function isToken(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** `value != null`; an empty string counts as unset too when the value is plain. */
export function isSet(value: string | null | undefined): Condition {
  if (value === undefined || value === null) return false;
  if (isToken(value)) return Op.neq(value, Token.nullValue());
  return value !== '';
}

export function equals(value: string, expected: string): Condition {
  return isToken(value) ? Op.eq(value, expected) : value === expected;
}

export function not(condition: Condition): Condition {
  return typeof condition === 'boolean' ? !condition : Op.not(condition);
}

export function and(left: Condition, right: Condition): Condition {
  if (left === false || right === false) return false;
  if (left === true) return right;
  if (right === true) return left;
  return Op.and(left, right);
}

export function or(left: Condition, right: Condition): Condition {
  if (left === true || right === true) return true;
  if (left === false) return right;
  if (right === false) return left;
  return Op.or(left, right);
}

/**
 * `condition ? whenTrue : whenFalse`, folded when the condition is known now. In Terraform,
 * `undefined` becomes `null`, i.e. "argument not set".
 */
export function choose<T>(condition: Condition, whenTrue: T, whenFalse: T): T {
  if (typeof condition === 'boolean') return condition ? whenTrue : whenFalse;
  const orNull = (value: T) => (value === undefined ? Token.nullValue() : value);
  return conditional(condition, orNull(whenTrue), orNull(whenFalse)) as unknown as T;
}

/** `value ?? fallback` (Terraform: `coalesce(value, fallback)`, which also skips ""). */
export function orDefault(value: string | null | undefined, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  if (isToken(value)) return Fn.coalesce([value, fallback]);
  return value;
}

/** The value without one leading `/` (SSM parameter names may start with one; ARNs do not). */
export function withoutLeadingSlash(value: string): string {
  return isToken(value) ? Fn.trimprefix(value, '/') : value.replace(/^\//, '');
}

/**
 * A string map built from entries that each may or may not be present: a plain object when
 * every condition is known now, else `merge(...)` of conditional single-entry maps.
 */
export function mapWithOptionalEntries(
  always: Record<string, string>,
  optional: ReadonlyArray<{ readonly key: string; readonly value: string; readonly when: Condition }>,
): Record<string, string> {
  const plain: Record<string, string> = { ...always };
  const deferred: IResolvable[] = [];
  for (const entry of optional) {
    if (entry.when === true) plain[entry.key] = entry.value;
    else if (entry.when !== false) deferred.push(conditional(entry.when, { [entry.key]: entry.value }, {}));
  }
  return deferred.length === 0 ? plain : Token.asStringMap(Fn.merge([plain, ...deferred]));
}

/** `value * factor`, in Terraform when the value is a token. */
export function times(value: number, factor: number): number {
  return isToken(value) ? Token.asNumber(Op.mul(value, factor)) : value * factor;
}

/** `length(list) >= 1` (cdktf writes a literal 0 operand as "undefined"). */
export function isNonEmpty(list: readonly string[]): Condition {
  return isToken(list) ? Op.gte(Fn.lengthOf(list), 1) : list.length > 0;
}

/** The list as a JSON string (`jsonencode` in Terraform). */
export function jsonList(list: readonly string[]): string {
  return isToken(list) ? Fn.jsonencode(list) : JSON.stringify(list);
}

/** `join(separator, list)`, folded when the list is plain. */
export function joined(list: readonly string[], separator: string): string {
  return isToken(list) ? Fn.join(separator, [...list]) : list.join(separator);
}

/** `one(resource[*].attribute)`: the attribute of a resource that has `count` 0 or 1. */
export function singleInstance(resource: TerraformResource, attribute: string): string {
  return Token.asString(Fn.one(propertyAccess(resource, ['*', attribute])));
}

/** `list`, plus `extra` when the condition holds: a plain list when it is known now, else `concat(...)`. */
export function listWithOptional(list: readonly string[], when: Condition, extra: readonly string[]): string[] {
  if (typeof when === 'boolean') return when ? [...list, ...extra] : [...list];
  return Token.asList(Fn.concat([[...list], conditional(when, [...extra], [])]));
}
