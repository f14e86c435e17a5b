/**
 * GraphQL naming: turning OpenAPI identifiers (operationIds, component names, property
 * names, enum values) into valid GraphQL names, and handing out unique names.
 */

const VALID_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const INVALID_RUN = /[^_0-9A-Za-z]+/;

/** A valid GraphQL name that is not reserved for introspection (`__`). */
export function isValidName(name: string): boolean {
  return VALID_NAME.test(name) && !name.startsWith('__');
}

function upperFirst(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function fixStart(name: string): string {
  if (name === '') return '_';
  if (/^[0-9]/.test(name)) return `_${name}`;
  if (name.startsWith('__')) return `_${name.replace(/^_+/, '')}`;
  return name;
}

/**
 * A field or argument name: kept as given when valid, otherwise the runs of invalid
 * characters are dropped and the following word capitalised (`get-pet` → `getPet`,
 * `first name` → `firstName`, `@type` → `type`).
 */
export function toFieldName(raw: string): string {
  if (isValidName(raw)) return raw;
  const words = raw.split(INVALID_RUN).filter((word) => word !== '');
  const joined = words.map((word, index) => (index === 0 ? word : upperFirst(word))).join('');
  return fixStart(joined);
}

/** A type name: like a field name, but the first letter is capitalised when sanitising. */
export function toTypeName(raw: string): string {
  if (isValidName(raw)) return raw;
  return fixStart(upperFirst(toFieldName(raw)));
}

/** PascalCase fragment for building generated type names (`items` → `Items`). */
export function pascal(raw: string): string {
  return fixStart(upperFirst(toFieldName(raw)));
}

const RESERVED_ENUM_NAMES = new Set(['true', 'false', 'null']);

/**
 * An enum value name: kept when valid, otherwise each run of invalid characters becomes
 * `_` (`in-stock` → `in_stock`, `1` → `_1`); `true`/`false`/`null` get a `_` prefix.
 */
export function toEnumValueName(value: unknown): string {
  const raw = String(value);
  if (isValidName(raw) && !RESERVED_ENUM_NAMES.has(raw)) return raw;
  const replaced = raw.replace(/[^_0-9A-Za-z]+/g, '_');
  const fixed = fixStart(replaced);
  return RESERVED_ENUM_NAMES.has(fixed) ? `_${fixed}` : fixed;
}

/**
 * Hands out unique names in one namespace. The first claim of a name gets it as is;
 * later claims get a numeric suffix (`getPet`, `getPet2`, `getPet3`), so the result
 * depends only on the order of claims, which follows the document.
 */
export class NameRegistry {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = [], private readonly separator = '') {
    for (const name of reserved) this.taken.add(name);
  }

  claim(base: string): string {
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}${this.separator}${n}`;
    this.taken.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}

/** Field name derived from method and path: `GET /products/{id}` → `getProductsById`. */
export function deriveOperationName(method: string, path: string): string {
  const parts = path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      return param ? `By${pascal(param[1] ?? '')}` : pascal(segment);
    });
  return toFieldName(method.toLowerCase() + parts.join(''));
}

/**
 * Name for the element of a list from the list's name: a plain English singular when the
 * name ends in a plural `s` (`OrderItems` → `OrderItem`, `Categories` → `Category`,
 * `Addresses` → `Address`), otherwise `Item` is appended (`PetData` → `PetDataItem`).
 */
export function singular(name: string): string {
  if (/[^aeiou]ies$/.test(name)) return `${name.slice(0, -3)}y`;
  if (/(sses|shes|ches|xes)$/.test(name)) return name.slice(0, -2);
  if (/[^su]s$/.test(name)) return name.slice(0, -1);
  return `${name}Item`;
}
