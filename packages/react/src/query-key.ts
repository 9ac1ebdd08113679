// The value useQuery compares from one render to the next to tell whether the query changed: a
// string that describes the query's structure, so that an inline literal (a new object each render)
// keeps its observer. Plain JSON values compare as their JSON form always did (same JSON, same
// query); beyond JSON it tells apart what JSON cannot: bigint, Map, Set, Date, RegExp, typed arrays,
// ArrayBuffer, DataView, undefined, NaN, and instances of different classes. An instance of an app's
// class is described by its class and its own enumerable properties (what JSON reads of it, or
// what its toJSON() returns). Functions and built-in objects whose state JSON cannot see (a Promise,
// a WeakMap, a Blob, ...) stand for themselves (one id per object): a query holding one changes when
// that object does. A value that cannot be described at all (a cycle, a symbol not made by
// Symbol.for, a toJSON() that throws) makes the whole query compare by identity: the key is then
// the query value itself.

/** Ids for objects compared by identity; weak, so a key never keeps a query alive. */
const identities = new WeakMap<object, number>();
let nextIdentity = 0;

/** Thrown while describing a value that has no description. */
class Unkeyable extends Error {}

/** A string describing `query`, or `query` itself when it cannot be described. */
export function queryKey(query: unknown): unknown {
  try {
    return describe(query, []);
  } catch {
    return query; // Unkeyable, or a toJSON() that threw: compare by identity
  }
}

function identity(value: object): string {
  let id = identities.get(value);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(value, id);
  }
  return `#${id}`;
}

/** `path` holds the objects being described (a value that contains itself has no description). */
function describe(value: unknown, path: object[]): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return identity(value);
    case 'symbol': {
      const registered = Symbol.keyFor(value);
      if (registered === undefined) throw new Unkeyable();
      return `Symbol.for(${JSON.stringify(registered)})`;
    }
  }
  if (value === null) return 'null';
  const object = value as object;
  if (path.includes(object)) throw new Unkeyable();
  path.push(object);
  try {
    return describeObject(object, path);
  } finally {
    path.pop();
  }
}

function describeObject(object: object, path: object[]): string {
  if (Array.isArray(object)) return `[${Array.from(object, (item) => describe(item, path)).join(',')}]`;
  if (object instanceof Date) return `Date(${object.getTime()})`;
  if (object instanceof Map) {
    return `Map{${Array.from(object, ([key, item]) => `${describe(key, path)}=>${describe(item, path)}`).join(',')}}`;
  }
  if (object instanceof Set) return `Set{${Array.from(object, (item) => describe(item, path)).join(',')}}`;
  if (object instanceof RegExp) return `RegExp(${JSON.stringify(String(object))})`;
  if (ArrayBuffer.isView(object)) {
    // A typed array's elements; a DataView's bytes.
    const items: ArrayLike<number | bigint> =
      object instanceof DataView ? new Uint8Array(object.buffer, object.byteOffset, object.byteLength) : (object as unknown as ArrayLike<number | bigint>);
    return `${object.constructor.name}[${Array.from(items, (item) => describe(item, path)).join(',')}]`;
  }
  if (object instanceof ArrayBuffer) return `ArrayBuffer[${new Uint8Array(object).join(',')}]`;
  const record = object as Record<string, unknown>;
  const proto = Object.getPrototypeOf(object) as { constructor?: unknown } | null;
  // Plain objects as JSON reads them; instances of other classes prefixed with their class.
  const plain = proto === Object.prototype || proto === null;
  const kind = plain ? '' : classId(proto);
  if (typeof record.toJSON === 'function') return `${kind}toJSON:${describe(record.toJSON(), path)}`;
  if (!plain && isBuiltIn(proto)) return identity(object);
  const members: string[] = [];
  for (const name of Object.keys(record)) {
    const member = record[name];
    if (member !== undefined) members.push(`${JSON.stringify(name)}:${describe(member, path)}`); // as JSON: absent
  }
  return `${kind}{${members.join(',')}}`;
}

function classId(proto: { constructor?: unknown }): string {
  return identity(typeof proto.constructor === 'function' ? proto.constructor : proto);
}

/** An instance of a built-in class keeps its state in internal slots, out of JSON's sight. */
function isBuiltIn(proto: { constructor?: unknown }): boolean {
  const constructor = proto.constructor;
  return typeof constructor === 'function' && NATIVE_CODE.test(Function.prototype.toString.call(constructor));
}

const NATIVE_CODE = /\{\s*\[native code\]\s*\}\s*$/;
