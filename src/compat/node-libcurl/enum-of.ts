// TypeScript's enum shape without `enum`: the compat layer's enums are plain objects.

/** An object of numeric members plus their reverse mapping, as a TypeScript enum compiles to. */
export function enumOf<T extends Record<string, number>>(members: T): T & { readonly [value: number]: string } {
  const out: Record<string | number, string | number> = {};
  for (const [name, value] of Object.entries(members)) {
    out[name] = value;
    out[value] = name;
  }
  return Object.freeze(out) as T & { readonly [value: number]: string };
}

