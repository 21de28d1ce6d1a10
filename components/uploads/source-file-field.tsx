"use client";

/**
 * A CSV source file in the integration form: pick a file, watch it upload,
 * and the field's value becomes the stored file's key. The server checks the
 * file (CSV by content, size) and its message is shown next to the field.
 */
import { useRef, useState } from "react";
import { FileCheck2, Upload } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import { uploadFile, type UploadSummary } from "./upload-file";
import { formatBytes } from "@/lib/format";

export function SourceFileField({
  id,
  label,
  value,
  describedBy,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  describedBy?: string;
  onChange: (key: string) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [uploaded, setUploaded] = useState<UploadSummary | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function onPick(file: File | undefined) {
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      const result = await uploadFile(file, "csv", setProgress);
      setUploaded(result);
      onChange(result.key);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setProgress(null);
      if (input.current) input.current.value = "";
    }
  }

  const current = uploaded && uploaded.key === value ? uploaded : null;
  return (
    <div className="grid gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <input
          ref={input}
          id={id}
          type="file"
          accept=".csv,.tsv,.txt,text/csv"
          className="sr-only"
          aria-label={label}
          aria-describedby={describedBy}
          onChange={(e) => void onPick(e.target.files?.[0])}
        />
        <Button type="button" variant="outline" size="sm" disabled={progress !== null} onClick={() => input.current?.click()}>
          <Upload aria-hidden="true" /> {value ? "Replace file" : "Choose file"}
        </Button>
        {current ? (
          <span className="inline-flex items-center gap-1 text-sm">
            <FileCheck2 aria-hidden="true" className="size-4 text-emerald-600" />
            {current.filename} ({formatBytes(current.size)})
          </span>
        ) : value ? (
          <span className="text-sm text-muted-foreground">A file is stored</span>
        ) : (
          <span className="text-sm text-muted-foreground">No file</span>
        )}
        {value ? (
          <Button type="button" variant="ghost" size="sm" onClick={() => onChange("")}>
            Remove
          </Button>
        ) : null}
      </div>
      {progress !== null ? <Progress value={Math.round(progress * 100)} aria-label={`Uploading ${label}`} /> : null}
      {error ? (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
