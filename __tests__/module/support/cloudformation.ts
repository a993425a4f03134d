/**
 * Evaluates a CloudFormation template the way CloudFormation would for given parameters: Ref,
 * Fn::Sub, Fn::If with the template's Conditions, AWS::NoValue dropped from lists and objects,
 * CommaDelimitedList parameters as lists. Only what sg-sentry's templates use; anything else
 * throws, so a template that grows a new intrinsic fails its tests instead of passing unread.
 */

export interface Evaluated {
  readonly resources: Record<string, { Type: string; Properties: Record<string, any> }>;
}

const NO_VALUE = Symbol('AWS::NoValue');

export function evaluateTemplate(
  template: Record<string, any>,
  parameters: Record<string, string>,
  pseudo: { accountId: string; region: string; partition?: string },
): Evaluated {
  const declared = (template.Parameters ?? {}) as Record<string, { Type: string; Default?: string; AllowedValues?: string[] }>;
  const values: Record<string, unknown> = {};
  for (const [name, declaration] of Object.entries(declared)) {
    const given = parameters[name] ?? declaration.Default;
    if (given === undefined) throw new Error(`parameter ${name} has no value and no default`);
    if (declaration.AllowedValues && !declaration.AllowedValues.includes(given))
      throw new Error(`parameter ${name}: ${given} is not allowed`);
    values[name] = declaration.Type === 'CommaDelimitedList' ? given.split(',') : given;
  }
  for (const name of Object.keys(parameters)) {
    if (!(name in declared)) throw new Error(`parameter ${name} is not declared by the template`);
  }
  const refs: Record<string, unknown> = {
    ...values,
    'AWS::AccountId': pseudo.accountId,
    'AWS::Region': pseudo.region,
    'AWS::Partition': pseudo.partition ?? 'aws',
    'AWS::NoValue': NO_VALUE,
  };

  const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
  const conditionValue = (name: string): boolean => {
    if (!(name in conditions)) throw new Error(`unknown condition ${name}`);
    return condition(conditions[name]);
  };
  const condition = (expression: any): boolean => {
    if ('Condition' in expression) return conditionValue(expression.Condition);
    if ('Fn::Equals' in expression) {
      const [a, b] = expression['Fn::Equals'].map(resolve);
      return a === b;
    }
    if ('Fn::And' in expression) return expression['Fn::And'].every(condition);
    if ('Fn::Or' in expression) return expression['Fn::Or'].some(condition);
    if ('Fn::Not' in expression) return !condition(expression['Fn::Not'][0]);
    throw new Error(`unsupported condition ${JSON.stringify(expression)}`);
  };

  const resolve = (value: any): any => {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Ref') {
      if (!(value.Ref in refs)) throw new Error(`Ref to unknown ${value.Ref}`);
      return refs[value.Ref];
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      return (value['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (!(name in refs)) throw new Error(`Fn::Sub of unknown ${name}`);
        return String(refs[name]);
      });
    }
    if (keys.length === 1 && keys[0] === 'Fn::If') {
      const [name, whenTrue, whenFalse] = value['Fn::If'];
      return resolve(conditionValue(name) ? whenTrue : whenFalse);
    }
    if (keys.some((k) => k.startsWith('Fn::'))) throw new Error(`unsupported intrinsic ${keys.join(', ')}`);
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, resolve(v)])
        .filter(([, v]) => v !== NO_VALUE),
    );
  };

  const resources: Evaluated['resources'] = {};
  for (const [id, body] of Object.entries(template.Resources as Record<string, any>)) {
    if (body.Condition !== undefined && !conditionValue(body.Condition)) continue;
    resources[id] = { Type: body.Type, Properties: resolve(body.Properties ?? {}) };
  }
  return { resources };
}
