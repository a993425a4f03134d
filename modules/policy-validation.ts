/**
 * The policy document's rules as Terraform expressions, so that `terraform plan` rejects a policy
 * the function would reject at cold start, naming every problem by its JSON path. Written as a
 * table of shapes (one line per key): a key added to the policy is one line here. A test runs
 * a table of good and bad policies through both these validations and the function's own
 * loader, so the two cannot drift apart.
 *
 * Terraform has no type test for decoded JSON and converts numbers and strings into each other
 * silently, so every type test goes through `jsonencode()`, whose first character tells the
 * JSON type. Terraform's `&&` and `||` do not short-circuit; guards are conditionals, whose
 * unselected branch may fail without effect.
 */
import { DEFAULT_POLICY_DOCUMENT } from '../function/core/policy/default-policy';

/** An HCL expression. */
type Hcl = string;
/** Turns a value (an HCL expression) at a JSON path (HCL template text) into a list of problems. */
type Check = (value: Hcl, path: string) => Hcl;
/** A problem (an HCL string) or null. */
type Leaf = (value: Hcl, path: string) => Hcl;

/** Literal text inside an HCL template. */
const lit = (text: string) =>
  text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '$${').replace(/%\{/g, '%%{').replace(/\n/g, '\\n');
const quoted = (templateText: string): Hcl => `"${templateText}"`;
const listOfStrings = (values: readonly string[]): Hcl => `[${values.map((v) => quoted(lit(v))).join(', ')}]`;
/** The value as JSON inside a message. */
const shown = (value: Hcl) => `\${jsonencode(${value})}`;
const problem = (path: string, message: string, value?: Hcl) =>
  quoted(`${path}: ${lit(message)}${value === undefined ? '' : `, got ${shown(value)}`}`);
/** A path below `path`; the document itself is "policy" in messages, its keys are bare. */
const below = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
const shownPath = (path: string) => (path === '' ? 'policy' : path);

const isString = (v: Hcl) => `startswith(jsonencode(${v}), "\\"")`;
const isNumber = (v: Hcl) => `can(tonumber(jsonencode(${v})))`;
const isBool = (v: Hcl) => `contains(["true", "false"], jsonencode(${v}))`;
const isList = (v: Hcl) => `startswith(jsonencode(${v}), "[")`;
const isObject = (v: Hcl) => `startswith(jsonencode(${v}), "{")`;

/** `when ? then : otherwise`, parenthesised. */
const when = (condition: Hcl, then: Hcl, otherwise: Hcl) => `(${condition} ? ${then} : ${otherwise})`;
const asList =
  (leaf: Leaf): Check =>
  (v, path) =>
    `[for p in [${leaf(v, path)}] : p if p != null]`;

let loopDepth = 0;
/** Fresh names for a `for` expression's key and value, so nested loops never shadow. */
function loopNames(): { index: string; item: string } {
  loopDepth += 1;
  return { index: `i${loopDepth}`, item: `x${loopDepth}` };
}

// ---- leaves -----------------------------------------------------------------------------------

const stringMatching = (pattern: string, expected: string): Check =>
  asList((v, path) =>
    when(
      `!${isString(v)}`,
      problem(path, expected, v),
      when(`can(regex(${quoted(lit(pattern))}, ${v}))`, 'null', problem(path, expected, v)),
    ),
  );

const nonEmptyString = (expected: string): Check =>
  asList((v, path) =>
    when(`!${isString(v)}`, problem(path, expected, v), when(`length(${v}) > 0`, 'null', problem(path, 'must not be empty'))),
  );

const anyString = (expected: string): Check => asList((v, path) => when(isString(v), 'null', problem(path, expected, v)));

const oneOf = (values: readonly string[]): Check => {
  const expected = `expected ${values.map((x) => `"${x}"`).join(' or ')}`;
  return asList((v, path) =>
    when(
      `!${isString(v)}`,
      problem(path, expected, v),
      when(`contains(${listOfStrings(values)}, ${v})`, 'null', problem(path, expected, v)),
    ),
  );
};

const bool: Check = asList((v, path) => when(isBool(v), 'null', problem(path, 'expected true or false', v)));

const literalNumber = (value: number, message: string): Check =>
  asList((v, path) => when(`jsonencode(${v}) == "${value}"`, 'null', problem(path, message, v)));

const wholeNumber = (min: number, max: number): Check => {
  const expected = `expected a whole number from ${min} to ${max}`;
  return asList((v, path) =>
    when(
      `!${isNumber(v)}`,
      problem(path, expected, v),
      when(`${v} >= ${min} && ${v} <= ${max} && floor(${v}) == ${v}`, 'null', problem(path, expected, v)),
    ),
  );
};

const nullOr =
  (check: Check): Check =>
  (v, path) =>
    when(`jsonencode(${v}) == "null"`, '[]', check(v, path));

/**
 * A CIDR the function accepts: IPv4 in four-part decimal without leading zeros (Terraform's own
 * parser reads `010.0.0.0` as 10.0.0.0; the function rejects it), or IPv6 with at most four hex
 * digits a group (Terraform's parser takes `2001:00db8::`, whose group fits 16 bits; the function
 * rejects it); a prefix the family allows; no host bits below the prefix.
 */
const IPV4_CIDR = '^(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}/[0-9]{1,3}$';
const IPV6_CIDR = '^([0-9A-Fa-f]{0,4}[:.])*[0-9A-Fa-f]{0,4}:([0-9A-Fa-f]{0,4}[:.])*[0-9A-Fa-f]{0,4}/[0-9]{1,3}$';
const cidr: Check = asList((v, path) => {
  const text = `trimspace(${v})`;
  const address = `split("/", ${text})[0]`;
  const hostLength = `(strcontains(${text}, ":") ? 128 : 32)`;
  const network = `cidrhost(${text}, 0)`;
  const canonicalAddress = `cidrhost("\${${address}}/\${${hostLength}}", 0)`;
  const notCidr = quoted(`${path}: ${shown(v)} is not an IPv4 or IPv6 CIDR (like 10.0.0.0/8 or fc00::/7)`);
  return when(
    `!${isString(v)}`,
    problem(path, 'expected a CIDR string like 10.0.0.0/8', v),
    when(
      `!(can(regex(${quoted(lit(IPV4_CIDR))}, ${text})) || can(regex(${quoted(lit(IPV6_CIDR))}, ${text}))) || !can(${network})`,
      notCidr,
      when(
        `${network} != ${canonicalAddress}`,
        quoted(`${path}: ${shown(v)} has host bits set; did you mean ${lit('"')}\${${network}}/\${split("/", ${text})[1]}${lit('"')}?`),
        'null',
      ),
    ),
  );
});

const PROTOCOL_NAMES = ['all', 'tcp', 'udp', 'icmp', 'icmpv6'];
const PROTOCOL_HINT = 'expected all, tcp, udp, icmp, icmpv6 or a protocol number 0-255 (-1 = all)';
const protocol: Check = asList((v, path) =>
  when(
    isNumber(v),
    when(`${v} >= -1 && ${v} <= 255 && floor(${v}) == ${v}`, 'null', problem(path, PROTOCOL_HINT, v)),
    when(
      `!${isString(v)}`,
      problem(path, PROTOCOL_HINT, v),
      when(
        `contains(${listOfStrings(PROTOCOL_NAMES)}, lower(${v})) || (can(regex("^(-1|[0-9]{1,3})$", ${v})) ? tonumber(${v}) <= 255 : false)`,
        'null',
        problem(path, PROTOCOL_HINT, v),
      ),
    ),
  ),
);

const PORT_HINT = 'expected a port number 0-65535 or a "from-to" range like "8000-8080"';
const port: Check = asList((v, path) => {
  const parts = `regex("^([0-9]{1,5})(?:-([0-9]{1,5}))?$", ${v})`;
  const from = `tonumber(${parts}[0])`;
  const to = `tonumber(coalesce(${parts}[1], ${parts}[0]))`;
  return when(
    isNumber(v),
    when(
      `floor(${v}) != ${v}`,
      quoted(`${path}: ${shown(v)} is not a whole port number`),
      when(`${v} >= 0 && ${v} <= 65535`, 'null', quoted(`${path}: port ${shown(v)} is outside 0-65535`)),
    ),
    when(
      `!${isString(v)} || !can(${parts})`,
      problem(path, PORT_HINT, v),
      when(
        `${from} > 65535 || ${to} > 65535`,
        quoted(`${path}: ${shown(v)} is outside 0-65535`),
        when(
          `${from} > ${to}`,
          quoted(`${path}: ${shown(v)} runs backwards; did you mean ${lit('"')}\${${to}}-\${${from}}${lit('"')}?`),
          'null',
        ),
      ),
    ),
  );
});

// ---- composites -------------------------------------------------------------------------------

function listOf(element: Check, options: { readonly nonEmpty?: string } = {}): Check {
  return (v, path) => {
    const { index, item } = loopNames();
    const elements = `flatten([for ${index}, ${item} in ${v} : ${element(item, `${path}[\${${index}}]`)}])`;
    const emptiness = options.nonEmpty ? `(length(${v}) == 0 ? [${problem(path, options.nonEmpty)}] : [])` : '[]';
    return when(`!${isList(v)}`, `[${problem(path, 'expected a list', v)}]`, `concat(${emptiness}, ${elements})`);
  };
}

function mapOfStrings(): Check {
  return (v, path) => {
    const { index, item } = loopNames();
    const keyProblems = `(${index} == "" ? [${quoted(`${path}: tag keys must not be empty`)}] : ${index} == "__proto__" ? [${quoted(`${path}.__proto__: ${lit('"__proto__" is not supported as a tag key')}`)}] : [])`;
    const valueProblems = `(${isString(item)} ? [] : [${quoted(`${path}.\${${index}}: expected a string tag value, got ${shown(item)}`)}])`;
    return when(
      `!${isObject(v)}`,
      `[${problem(path, 'expected an object of tag key to tag value', v)}]`,
      `flatten([for ${index}, ${item} in ${v} : concat(${keyProblems}, ${valueProblems})])`,
    );
  };
}

interface ObjectShape {
  readonly fields: Readonly<Record<string, Check>>;
  readonly required?: readonly string[];
  readonly expected: string;
  /** Rules across fields, given the object and its path. */
  readonly across?: Check;
}

function object(shape: ObjectShape): Check {
  const known = Object.keys(shape.fields);
  return (v, path) => {
    const { item } = loopNames();
    const unknown = `[for ${item} in keys(${v}) : ${quoted(`${lit(path === '' ? '' : `${path}.`)}\${${item}}: unknown key (allowed: ${lit(known.join(', '))})`)} if !contains(${listOfStrings(known)}, ${item})]`;
    // A filtered `for` evaluates its body only for the key that is present: a conditional would
    // evaluate every field's check on every object.
    const fields = Object.entries(shape.fields).map(([key, check]) => {
      const { index: k, item: x } = loopNames();
      const checked = `try(${check(x, below(path, key))}, [${problem(below(path, key), 'has a shape this check cannot read')}])`;
      return `flatten([for ${k}, ${x} in ${v} : ${checked} if ${k} == ${quoted(key)}])`;
    });
    const required = (shape.required ?? []).map(
      (key) => `(contains(keys(${v}), ${quoted(key)}) ? [] : [${problem(below(path, key), 'required')}])`,
    );
    const across = shape.across ? [shape.across(v, path)] : [];
    return when(
      `!${isObject(v)}`,
      `[${problem(shownPath(path), shape.expected, v)}]`,
      `concat(${[unknown, ...fields, ...required, ...across].join(', ')})`,
    );
  };
}

// ---- the document -----------------------------------------------------------------------------

/** Ids are matched case-insensitively, as the function does. */
const SECURITY_GROUP_ID = '(?i)^sg-[0-9a-f]{8,17}$';
const GROUP_SELECTOR = '(?i)^(\\*|sg-[0-9a-f]{8,17})$';
const PREFIX_LIST_SELECTOR = '(?i)^(\\*|pl-[0-9a-f]+)$';
const SOURCE_KEYS = ['cidr', 'security_group', 'prefix_list'];

/** `protocol` as the function reads it: tcp and udp (names or 6, 17) carry ports. */
const carriesPorts = (p: Hcl) =>
  when(
    isNumber(p),
    `contains([6, 17], ${p})`,
    `contains(["tcp", "udp"], lower(${p})) || (can(regex("^[0-9]{1,3}$", ${p})) ? contains([6, 17], tonumber(${p})) : false)`,
  );
/** Whether `protocol` passes its own check (else that check reports it, and ports are not judged). */
const validProtocol = (p: Hcl) =>
  `(${isNumber(p)} ? (${p} >= -1 && ${p} <= 255 && floor(${p}) == ${p}) : contains(${listOfStrings(PROTOCOL_NAMES)}, lower(${p})) || (can(regex("^(-1|[0-9]{1,3})$", ${p})) ? tonumber(${p}) <= 255 : false))`;

const entryRules: Check = (v, path) => {
  const sources = `[for s in ${listOfStrings(SOURCE_KEYS)} : s if contains(keys(${v}), s)]`;
  const sourceCount = when(
    `length(${sources}) == 0`,
    `[${problem(shownPath(path), 'needs exactly one source: cidr, security_group or prefix_list')}]`,
    when(
      `length(${sources}) > 1`,
      `[${quoted(`${path}: has \${length(${sources})} sources (\${join(", ", ${sources})}); write one entry per source`)}]`,
      '[]',
    ),
  );
  const p = `${v}["protocol"]`;
  const { index: k } = loopNames();
  const portsWithoutTcpOrUdp = `flatten([for ${k} in keys(${v}) : ${when(
    `!contains(keys(${v}), "protocol")`,
    `[${problem(`${path}.ports`, 'ports are only allowed with protocol tcp or udp (6 or 17), but protocol is all (the default); set protocol to tcp or udp')}]`,
    when(
      `try(!${validProtocol(p)} || ${carriesPorts(p)}, true)`,
      '[]',
      `[${quoted(`${path}.ports: ports are only allowed with protocol tcp or udp (6 or 17), but protocol is ${shown(p)}`)}]`,
    ),
  )} if ${k} == "ports"])`;
  return `concat(${sourceCount}, ${portsWithoutTcpOrUdp})`;
};

const cidrOrCidrs: Check = (v, path) => when(isList(v), listOf(cidr, { nonEmpty: 'must not be empty' })(v, path), cidr(v, path));

const ENTRY_FIELDS: Readonly<Record<string, Check>> = {
  cidr: cidrOrCidrs,
  security_group: stringMatching(GROUP_SELECTOR, 'expected a security group id like sg-0123456789abcdef0 or "*"'),
  prefix_list: stringMatching(PREFIX_LIST_SELECTOR, 'expected a prefix list id like pl-02cd2c6b or "*"'),
  protocol,
  ports: listOf(port, { nonEmpty: 'must not be empty; omit ports to allow every port' }),
  description: anyString('expected a string'),
};
const entry: Check = object({ expected: 'expected an allow entry object', fields: ENTRY_FIELDS, across: entryRules });

const DIRECTION_FIELDS: Readonly<Record<string, Check>> = { allow: listOf(entry) };
const direction: Check = object({ expected: 'expected an object {"allow": [...]}', fields: DIRECTION_FIELDS, required: ['allow'] });

const globs = listOf(nonEmptyString('expected a glob string'));

/**
 * A pattern that can match an `arn:…` or a `service:<name>`: what its text before the first star
 * says decides it (`**` and `*:role/x` can, `cloudformation.amazonaws.com` cannot). The function
 * says the same.
 */
const AWS_SERVICE_NAME = '^[a-z0-9-]+(\\.[a-z0-9-]+)*\\.amazonaws\\.com$';
const principalPattern: Check = asList((v, path) =>
  when(
    `!${isString(v)}`,
    problem(path, 'expected a glob string', v),
    when(
      `length(${v}) == 0`,
      problem(path, 'must not be empty'),
      when(
        `${v} == "service:"`,
        quoted(`${path}: ${lit('"service:" names no service, e.g. service:cloudformation.amazonaws.com')}`),
        when(
          `startswith(${v}, "arn:") || startswith(${v}, "service:") || (strcontains(${v}, "*") && (startswith("arn:", split("*", ${v})[0]) || startswith("service:", split("*", ${v})[0])))`,
          'null',
          quoted(
            `${path}: ${shown(v)} would match nothing: write arn:… for a principal or service:<name> for a service acting for one (service:\${can(regex(${quoted(lit(AWS_SERVICE_NAME))}, ${v})) ? ${v} : "cloudformation.amazonaws.com"})`,
          ),
        ),
      ),
    ),
  ),
);

/** Every key of the document and its shape: a new policy key is one line here. */
const DOCUMENT_FIELDS: Readonly<Record<string, Check>> = {
  version: literalNumber(1, 'the only policy version is 1'),
  mode: oneOf(['enforce', 'report']),
  action: oneOf(['revoke', 'restrict']),
  restrict_to: listOf(cidr),
  groups: listOf(stringMatching(GROUP_SELECTOR, 'expected a security group id like sg-0123456789abcdef0 or "*"'), {
    nonEmpty: 'must not be empty (to stop acting, use "mode": "report")',
  }),
  exclude_groups: listOf(stringMatching(SECURITY_GROUP_ID, 'expected a security group id like sg-0123456789abcdef0')),
  exclude_tags: mapOfStrings(),
  exempt_principals: listOf(principalPattern),
  exception_tag: nullOr(nonEmptyString('expected a tag key, or null to disable exceptions')),
  max_exception_days: wholeNumber(1, 366),
  exception_approvers: globs,
  inspect_prefix_lists: bool,
  notify_allowed: bool,
  ingress: direction,
  egress: direction,
};

/** The keys these validations know, at each level of the document. */
export const VALIDATED_KEYS = {
  document: Object.keys(DOCUMENT_FIELDS),
  direction: Object.keys(DIRECTION_FIELDS),
  entry: Object.keys(ENTRY_FIELDS),
} as const;

// ---- rules across keys: restrict needs restrict_to, each allowed for all traffic ---------------

/** A CIDR list entry `e` (text) contains the CIDR `r` (text), both valid, same family. */
const cidrContains = (e: Hcl, r: Hcl) =>
  `try(strcontains(${e}, ":") == strcontains(${r}, ":") && tonumber(split("/", trimspace(${r}))[1]) >= tonumber(split("/", trimspace(${e}))[1]) && cidrhost("\${split("/", trimspace(${r}))[0]}/\${split("/", trimspace(${e}))[1]}", 0) == cidrhost(trimspace(${e}), 0), false)`;

/** Whether some entry of `entries` allows all traffic from CIDR `r`. */
function coveredForAllTraffic(entries: Hcl, r: Hcl): Hcl {
  const { item } = loopNames();
  const { item: c } = loopNames();
  const allProtocols = `(!contains(keys(${item}), "protocol") ? true : contains(["all", "-1"], lower(tostring(${item}["protocol"]))))`;
  const cidrs = `try(flatten([${item}["cidr"]]), [])`;
  return `anytrue([for ${item} in ${entries} : try(${allProtocols} && anytrue([for ${c} in ${cidrs} : ${cidrContains(c, r)}]), false)])`;
}

const DEFAULT_ALLOW = {
  ingress: `jsondecode(${quoted(lit(JSON.stringify(DEFAULT_POLICY_DOCUMENT.ingress.allow)))})`,
  egress: `jsondecode(${quoted(lit(JSON.stringify(DEFAULT_POLICY_DOCUMENT.egress.allow)))})`,
};

const documentRules: Check = (v) => {
  const action = `try(${v}["action"], ${quoted(DEFAULT_POLICY_DOCUMENT.action)})`;
  const restrictTo = `try(${v}["restrict_to"], [])`;
  const needsRestrictTo = `try(${action} == "restrict" && length(${restrictTo}) == 0, false) ? [${problem('restrict_to', 'action "restrict" needs at least one CIDR to restrict offending rules to')}] : []`;
  // try(), not a conditional: the given list and the default have different types.
  const allowOf = (d: 'ingress' | 'egress') => `try(${v}["${d}"]["allow"], ${DEFAULT_ALLOW[d]})`;
  const { index, item } = loopNames();
  const uncovered = `[for d in ["ingress", "egress"] : "\${d}.allow" if !(d == "ingress" ? ${coveredForAllTraffic(allowOf('ingress'), item)} : ${coveredForAllTraffic(allowOf('egress'), item)})]`;
  const coverage = `try(flatten([for ${index}, ${item} in ${restrictTo} : [${quoted(`restrict_to[\${${index}}]: \${trimspace(${item})} is not allowed by \${join(" or ", ${uncovered})} for all traffic, so the sweep would revoke the rules restrict creates`)}] if length(${uncovered}) > 0]), [])`;
  return `concat((${needsRestrictTo}), ${coverage})`;
};

const document: Check = object({ expected: 'expected a JSON object', fields: DOCUMENT_FIELDS, across: documentRules });

/**
 * The problems of the policy in `ref` (a JSON string variable), as an HCL list of strings. Empty
 * for null and for text that is not a JSON object, which the module's first policy rule reports.
 */
export function policyProblems(ref: string): Hcl {
  loopDepth = 0;
  const decoded = `jsondecode(${ref})`;
  const unreadable = `[${problem('policy', 'has a shape this check cannot read')}]`;
  return `(can(keys(${decoded})) ? try(${document(decoded, '')}, ${unreadable}) : [])`;
}
