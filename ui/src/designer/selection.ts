// What the designer has selected: an operation, a field, a type. Selecting an operation and
// then a field (or a field, then an operation) pairs them for the panel's Bind button; the
// pair is used once. An operation
// selection never carries over to a field selected after the pair was formed (or after a
// bind), so Bind is only ever offered for the operation the person just chose for that field.

export interface FieldRef {
  type: string;
  field: string;
}

export interface Selection {
  op: string | null;
  field: FieldRef | null;
  /** The type new fields go to: the selected field's, or a type chosen by its header. */
  type: string | null;
  /** The field the selected operation was paired with (the first field selected after it). */
  pairedWith: FieldRef | null;
}

export const NOTHING: Selection = { op: null, field: null, type: null, pairedWith: null };

export type SelectionEvent =
  | { kind: "op"; id: string | null }
  | { kind: "field"; field: FieldRef | null }
  | { kind: "type"; type: string | null }
  | { kind: "bound" }
  | { kind: "pane" };

const same = (a: FieldRef | null, b: FieldRef | null) => !!a && !!b && a.type === b.type && a.field === b.field;

export function select(s: Selection, e: SelectionEvent): Selection {
  switch (e.kind) {
    case "op":
      // An operation pairs with the field selected now, or else with the next one.
      return { ...s, op: e.id, pairedWith: e.id === null ? null : s.field };
    case "field": {
      if (e.field === null) return { ...s, field: null, op: s.pairedWith ? null : s.op, pairedWith: null };
      const type = e.field.type;
      if (s.op === null) return { ...s, field: e.field, type, pairedWith: null };
      // The operation pairs with the first field selected after it, and with nothing else.
      if (s.pairedWith === null || same(s.pairedWith, e.field)) return { ...s, field: e.field, type, pairedWith: e.field };
      return { ...s, field: e.field, type, op: null, pairedWith: null };
    }
    case "type":
      return { ...s, type: e.type, field: e.type !== null && s.field?.type === e.type ? s.field : null };
    case "bound":
      return { ...s, op: null, pairedWith: null };
    case "pane":
      return { ...NOTHING, type: s.type };
  }
}

/** The operation Bind is offered for with the selected field, or null. */
export function bindOffer(s: Selection): string | null {
  return s.op !== null && s.field !== null && same(s.pairedWith, s.field) ? s.op : null;
}
