"use client";

/**
 * The Entity Type and Action filters of the Audit Log: once an entity type is
 * chosen, Action offers only what is recorded for it. The form stays a plain
 * GET form (it works before hydration with every action offered), and the
 * service still refuses a pair that does not go together.
 */
import { useState } from "react";
import { FilterField } from "@/components/data/filter-form";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { AUDIT_ENTITY_TYPES, ENTITY_TYPE_LABELS, actionsOf } from "@/lib/audit/catalog";

export function EntityActionFields({ entityType: initialType, action: initialAction }: { entityType: string; action: string }) {
  const [entityType, setEntityType] = useState(initialType);
  const [action, setAction] = useState(initialAction);
  const actions = actionsOf(entityType);
  // A hand-edited URL may pair an action with a type that never records it: keep it offered, so the
  // select shows what was asked and the refusal beside the form makes sense.
  const offered = action && !actions.includes(action) ? [...actions, action] : actions;

  return (
    <>
      <FilterField label="Entity Type" htmlFor="entityType">
        <NativeSelect
          id="entityType"
          name="entityType"
          value={entityType}
          className="w-full"
          onChange={(e) => {
            const next = e.target.value;
            setEntityType(next);
            if (action && !actionsOf(next).includes(action)) setAction("");
          }}
        >
          <NativeSelectOption value="">All Entity Types</NativeSelectOption>
          {AUDIT_ENTITY_TYPES.map((t) => (
            <NativeSelectOption key={t} value={t}>
              {ENTITY_TYPE_LABELS[t]}
            </NativeSelectOption>
          ))}
        </NativeSelect>
      </FilterField>
      <FilterField label="Action" htmlFor="action">
        <NativeSelect id="action" name="action" value={action} className="w-full" onChange={(e) => setAction(e.target.value)}>
          <NativeSelectOption value="">All Actions</NativeSelectOption>
          {offered.map((a) => (
            <NativeSelectOption key={a} value={a}>
              {a}
            </NativeSelectOption>
          ))}
        </NativeSelect>
      </FilterField>
    </>
  );
}
