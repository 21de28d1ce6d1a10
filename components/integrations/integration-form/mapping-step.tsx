"use client";

/** Step 2: which source attribute fills which canonical field, per object type. */
import { useFieldArray, useFormContext } from "react-hook-form";
import { ArrowRight, Plus, RotateCcw, Trash2 } from "lucide-react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { CANONICAL_FIELDS } from "@/lib/connectors/canonical";
import type { ObjectType } from "@/lib/connectors/types";
import { OBJECT_TYPE_LABELS, type ConnectorOption } from "../connector-fields";
import { mappingRows, type FieldErrors, type IntegrationFormValues } from "./payload";

export function MappingStep({
  option,
  errors,
  onEdited,
}: {
  option: ConnectorOption;
  errors: FieldErrors;
  onEdited: (key: string) => void;
}) {
  return (
    <section aria-labelledby="step-mapping" className="grid gap-5">
      <div className="grid gap-1">
        <h2 id="step-mapping" className="text-lg font-semibold">
          Mapping
        </h2>
        <p className="text-sm text-muted-foreground">
          Which source attribute fills which canonical identity field. Attribute names match case-insensitively; nested values use dots
          (name.givenName). The record&apos;s own id is used when nothing maps to externalId.
        </p>
      </div>
      {errors.mapping ? (
        <Alert variant="destructive">
          <AlertDescription>{errors.mapping.join(" ")}</AlertDescription>
        </Alert>
      ) : null}
      {option.objectTypes.map((type) => (
        <MappingSection
          key={`${option.type}:${type}`}
          type={type}
          defaults={mappingRows(option)[type] ?? []}
          errors={Object.entries(errors)
            .filter(([k]) => k === `mapping.${type}` || k.startsWith(`mapping.${type}.`))
            .flatMap(([k, messages]) =>
              k === `mapping.${type}` ? messages : messages.map((m) => `${k.slice(`mapping.${type}.`.length)}: ${m}`),
            )}
          onEdited={() => onEdited(`mapping.${type}`)}
        />
      ))}
    </section>
  );
}

function MappingSection({
  type,
  defaults,
  errors,
  onEdited,
}: {
  type: ObjectType;
  defaults: { source: string; field: string }[];
  errors: string[];
  onEdited: () => void;
}) {
  const { register } = useFormContext<IntegrationFormValues>();
  const {
    fields: rows,
    append,
    remove,
    replace,
  } = useFieldArray<IntegrationFormValues, `mapping.${ObjectType}`>({ name: `mapping.${type}` });
  const label = OBJECT_TYPE_LABELS[type];
  const fields = CANONICAL_FIELDS[type] as readonly string[];
  return (
    <fieldset className="grid gap-3 rounded-lg border p-4" aria-invalid={errors.length > 0 || undefined}>
      <legend className="px-1 text-sm font-medium">{label}</legend>
      {rows.length === 0 ? (
        <p className="text-sm text-muted-foreground">No attributes mapped: records keep only their id.</p>
      ) : (
        <div className="grid gap-2">
          <div className="hidden grid-cols-[1fr_auto_1fr_auto] gap-2 text-xs font-medium tracking-wide text-muted-foreground uppercase sm:grid">
            <span>Source attribute</span>
            <span aria-hidden="true" className="w-4" />
            <span>Canonical field</span>
            <span className="w-9" />
          </div>
          {rows.map((row, i) => (
            <div key={row.id} className="grid grid-cols-[1fr_auto_1fr_auto] items-center gap-2">
              <Input
                aria-label={`${label} source attribute ${i + 1}`}
                title={row.source || undefined}
                spellCheck={false}
                autoComplete="off"
                className="font-mono text-xs"
                {...register(`mapping.${type}.${i}.source`, { onChange: onEdited })}
              />
              <ArrowRight aria-hidden="true" className="size-4 text-muted-foreground" />
              <NativeSelect
                aria-label={`${label} canonical field ${i + 1}`}
                className="w-full"
                {...register(`mapping.${type}.${i}.field`, { onChange: onEdited })}
              >
                {fields.includes(row.field) ? null : (
                  <NativeSelectOption value={row.field} disabled>
                    {row.field} (unknown)
                  </NativeSelectOption>
                )}
                {fields.map((f) => (
                  <NativeSelectOption key={f} value={f}>
                    {f}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
              <Button
                type="button"
                variant="ghost"
                size="icon"
                aria-label={`Remove ${label} row ${i + 1}`}
                onClick={() => {
                  remove(i);
                  onEdited();
                }}
              >
                <Trash2 aria-hidden="true" />
              </Button>
            </div>
          ))}
        </div>
      )}
      {errors.length > 0 ? (
        <div role="alert" className="grid gap-0.5 text-sm text-destructive">
          {errors.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Button
          type="button"
          variant="outline"
          size="sm"
          aria-label={`Add ${label} attribute`}
          onClick={() => {
            append({ source: "", field: fields[0] });
            onEdited();
          }}
        >
          <Plus aria-hidden="true" /> Add attribute
        </Button>
        <Button
          type="button"
          variant="ghost"
          size="sm"
          aria-label={`Restore default ${label} mapping`}
          onClick={() => {
            replace(defaults);
            onEdited();
          }}
        >
          <RotateCcw aria-hidden="true" /> Restore defaults
        </Button>
      </div>
    </fieldset>
  );
}
