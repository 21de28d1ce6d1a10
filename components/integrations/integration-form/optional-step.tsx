"use client";

/** Step 3: schedule, drop guard, logo, and audit evidence (notes and files) saved with this change. */
import { useFormContext, useWatch } from "react-hook-form";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { EvidenceFiles } from "@/components/evidence/evidence-files";
import { NotesEditor } from "@/components/evidence/notes-editor";
import { LogoField } from "../logo-field";
import type { FieldErrors, IntegrationFormValues } from "./payload";

export function OptionalStep({
  errors,
  onEdited,
  onEvidenceBusyChange,
  onLogoBusyChange,
  integrationId,
  savedLogoUploadId,
  inactive,
}: {
  errors: FieldErrors;
  onEdited: (key: string) => void;
  onEvidenceBusyChange: (busy: boolean) => void;
  onLogoBusyChange: (busy: boolean) => void;
  /** When editing: the integration, and the logo it has now. */
  integrationId?: string;
  savedLogoUploadId: string | null;
  /** Editing a deactivated integration: saving starts no sync. */
  inactive: boolean;
}) {
  const { register, setValue, getValues } = useFormContext<IntegrationFormValues>();
  const logoUploadId = useWatch<IntegrationFormValues, "logoUploadId">({ name: "logoUploadId" });
  const name = useWatch<IntegrationFormValues, "name">({ name: "name" });
  const evidenceErrors = [...(errors.evidence ?? []), ...(errors["evidence.uploadIds"] ?? [])];
  return (
    <section aria-labelledby="step-optional" className="grid gap-5">
      <h2 id="step-optional" className="text-lg font-semibold">
        Optional Configuration
      </h2>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField
          label="Sync schedule (minutes)"
          htmlFor="scheduleMinutes"
          error={errors.scheduleMinutes}
          description="Sync every N minutes (5 to 10080). Leave blank to sync only on demand."
        >
          <Input
            id="scheduleMinutes"
            type="number"
            inputMode="numeric"
            min={5}
            max={10080}
            {...register("scheduleMinutes", { onChange: () => onEdited("scheduleMinutes") })}
          />
        </FormField>
        <FormField
          label="Drop threshold (%)"
          htmlFor="dropThresholdPercent"
          error={errors.dropThresholdPercent}
          description="A full sync that finds more than this share fewer objects than the last applied one is held for an admin to release."
        >
          <Input
            id="dropThresholdPercent"
            type="number"
            inputMode="numeric"
            min={1}
            max={100}
            {...register("dropThresholdPercent", { onChange: () => onEdited("dropThresholdPercent") })}
          />
        </FormField>
        <FormField
          label="Maximum run time (minutes)"
          htmlFor="maxRunMinutes"
          error={errors.maxRunMinutes}
          description="A sync still running after this long is stopped and ends in error, with nothing applied, so later syncs do not queue behind it (1 to 1440)."
        >
          <Input
            id="maxRunMinutes"
            type="number"
            inputMode="numeric"
            min={1}
            max={1440}
            {...register("maxRunMinutes", { onChange: () => onEdited("maxRunMinutes") })}
          />
        </FormField>
        <div className="sm:col-span-2">
          <LogoField
            integrationId={integrationId}
            name={name}
            value={logoUploadId}
            saved={savedLogoUploadId}
            error={errors.logoUploadId}
            onChange={(id) => {
              setValue("logoUploadId", id);
              onEdited("logoUploadId");
            }}
            onBusyChange={onLogoBusyChange}
          />
        </div>
      </div>

      <section aria-labelledby="audit-evidence" className="grid gap-4 rounded-lg border p-4">
        <div className="grid gap-1">
          <h3 id="audit-evidence" className="font-medium">
            Audit Evidence
          </h3>
          <p className="text-sm text-muted-foreground">
            Optional. Notes and files saved here belong to the sync this save starts, are hashed into the ledger, and cannot be edited
            later: new evidence makes a new record.
          </p>
        </div>
        <div className="grid gap-2">
          <span className="text-sm font-medium">Notes</span>
          {/* Starts from the form's notes, so going back a step and returning keeps what was written. */}
          <NotesEditor
            id="evidence-notes"
            label="Evidence notes"
            initial={getValues("evidence.notes")}
            onChange={(doc) => setValue("evidence.notes", doc)}
          />
        </div>
        <div className="grid gap-2">
          <Label htmlFor="evidence-files">Files</Label>
          <EvidenceFiles
            initial={getValues("evidence.uploads")}
            onChange={(uploads) => setValue("evidence.uploads", uploads)}
            onBusyChange={onEvidenceBusyChange}
          />
        </div>
        {evidenceErrors.length > 0 ? (
          <p role="alert" className="text-sm text-destructive">
            {evidenceErrors.join(" ")}
          </p>
        ) : null}
      </section>

      {inactive ? (
        <Alert variant="warning">
          <AlertDescription>This integration is deactivated: saving does not start a sync until it is activated.</AlertDescription>
        </Alert>
      ) : (
        <p className="text-sm text-muted-foreground">Saving starts a sync with the new configuration.</p>
      )}
    </section>
  );
}
