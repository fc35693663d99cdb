/**
 * JSON serialisation of untrusted application values (changes, metadata) that never throws
 * on odd input and never invokes prototype setters. Rules (also in README "Schema"):
 * lone surrogates → U+FFFD (or a `\uXXXX` escape when the native serialiser is used); bigint → decimal string;
 * NaN/±Infinity → null (or "NaN"/"Infinity"/"-Infinity" when the rule-based serialiser is used);
 * Date → ISO-8601 string; Buffer/TypedArray/ArrayBuffer → "[binary N bytes]"; Map → object
 * (keys via String()); Set → array; Error → {name, message}; circular reference → "[circular]";
 * deeper than maxDepth → "[truncated]"; a getter/toJSON/Proxy that throws → "[unserializable]";
 * undefined/function/symbol values are left out of objects and become null in arrays.
 * `__proto__` and `constructor` keys are ordinary data.
 */

export class SerializedTooLargeError extends Error {
  override readonly name = 'SerializedTooLargeError';
}

export interface SafeJsonOptions {
  /** Nesting depth after which values become "[truncated]". Default 32. */
  maxDepth?: number;
  /** Abort with SerializedTooLargeError once the output exceeds this many UTF-16 units. Default Infinity. */
  maxLength?: number;
}

const quote = (s: string): string => JSON.stringify(s.isWellFormed() ? s : s.toWellFormed());

/**
 * Output of the native serialiser that may hide a value it does not handle the way the rules say:
 * `{}` (Map, Set, Error, or a real empty object) and Buffer's toJSON form. Such output, and anything
 * the native serialiser throws on (circular, BigInt, throwing getters), goes through the rule-based
 * serialiser below. (On the fast path NaN and ±Infinity become null, as in JSON.stringify.)
 */
const suspect = (s: string): boolean => s.includes('{}') || s.includes('"type":"Buffer"');

/**
 * Fast path: the native JSON.stringify when its output is known to follow the rules (then lone
 * surrogates appear as `\uXXXX` escapes, which is valid JSON); the rule-based walk otherwise.
 */
export function safeJsonStringify(value: unknown, options: SafeJsonOptions = {}): string {
  try {
    const s = JSON.stringify(value);
    if (typeof s === 'string' && !suspect(s)) {
      if (s.length > (options.maxLength ?? Infinity)) {
        throw new SerializedTooLargeError(`serialised value exceeds ${options.maxLength} characters`);
      }
      return s;
    }
  } catch (e) {
    if (e instanceof SerializedTooLargeError) {
      throw e;
    }
  }
  return ruleBasedStringify(value, options);
}

/** The rule-based serialiser (see the file comment). Exported for tests. */
export function ruleBasedStringify(value: unknown, options: SafeJsonOptions = {}): string {
  const maxDepth = options.maxDepth ?? 32;
  const maxLength = options.maxLength ?? Infinity;
  const ancestors: object[] = [];
  let length = 0;
  const out: string[] = [];
  const push = (s: string): void => {
    length += s.length;
    if (length > maxLength) {
      throw new SerializedTooLargeError(`serialised value exceeds ${maxLength} characters`);
    }
    out.push(s);
  };

  const write = (v: unknown, depth: number, inArray: boolean): boolean => {
    switch (typeof v) {
      case 'string':
        push(quote(v));
        return true;
      case 'number':
        push(Number.isFinite(v) ? String(v) : quote(String(v)));
        return true;
      case 'bigint':
        push(quote(v.toString()));
        return true;
      case 'boolean':
        push(v ? 'true' : 'false');
        return true;
      case 'undefined':
      case 'function':
      case 'symbol':
        if (inArray) {
          push('null');
          return true;
        }
        return false;
      default:
        break;
    }
    if (v === null) {
      push('null');
      return true;
    }
    const obj = v as object;
    if (depth >= maxDepth) {
      push('"[truncated]"');
      return true;
    }
    if (ancestors.includes(obj)) {
      push('"[circular]"');
      return true;
    }
    ancestors.push(obj);
    const mark = out.length;
    const markLength = length;
    try {
      writeObject(obj, depth);
    } catch (e) {
      if (e instanceof SerializedTooLargeError) {
        throw e;
      }
      out.length = mark;
      length = markLength;
      push('"[unserializable]"');
    } finally {
      ancestors.pop();
    }
    return true;
  };

  const writeEntries = (entries: Iterable<[string, unknown]>, depth: number): void => {
    push('{');
    let first = true;
    for (const [k, val] of entries) {
      const mark = out.length;
      const markLength = length;
      push(first ? '' : ',');
      push(quote(k));
      push(':');
      if (write(val, depth + 1, false)) {
        first = false;
      } else {
        out.length = mark;
        length = markLength;
      }
    }
    push('}');
  };

  const writeArray = (items: Iterable<unknown>, depth: number): void => {
    push('[');
    let first = true;
    for (const item of items) {
      if (!first) {
        push(',');
      }
      write(item, depth + 1, true);
      first = false;
    }
    push(']');
  };

  function* ownEntries(o: object): Generator<[string, unknown]> {
    for (const k of Object.keys(o)) {
      let val: unknown;
      try {
        val = (o as Record<string, unknown>)[k];
      } catch {
        val = '[unserializable]';
      }
      yield [k, val];
    }
  }

  function* mapEntries(m: Map<unknown, unknown>): Generator<[string, unknown]> {
    for (const [k, val] of m) {
      yield [typeof k === 'string' ? k : safeString(k), val];
    }
  }

  const writeObject = (o: object, depth: number): void => {
    if (o instanceof Date) {
      push(quote(Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString()));
    } else if (ArrayBuffer.isView(o)) {
      push(quote(`[binary ${o.byteLength} bytes]`));
    } else if (o instanceof ArrayBuffer) {
      push(quote(`[binary ${o.byteLength} bytes]`));
    } else if (Array.isArray(o)) {
      writeArray(o, depth);
    } else if (o instanceof Map) {
      writeEntries(mapEntries(o), depth);
    } else if (o instanceof Set) {
      writeArray(o, depth);
    } else if (o instanceof Error) {
      writeEntries(
        [
          ['name', o.name],
          ['message', o.message],
        ],
        depth
      );
    } else if (typeof (o as { toJSON?: unknown }).toJSON === 'function') {
      const j = (o as { toJSON: () => unknown }).toJSON();
      if (j !== null && typeof j === 'object') {
        // A toJSON result is serialised once more, but never its own toJSON again.
        writeEntries(ownEntries(j), depth);
      } else if (!write(j, depth, true)) {
        push('null');
      }
    } else {
      writeEntries(ownEntries(o), depth);
    }
  };

  write(value, 0, true);
  return out.join('');
}

/** String() that never throws. */
export function safeString(v: unknown): string {
  try {
    const s = String(v);
    return s.isWellFormed() ? s : s.toWellFormed();
  } catch {
    return '[unserializable]';
  }
}
