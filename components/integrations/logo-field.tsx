"use client";

/**
 * The integration form's logo: a PNG, JPEG, WebP or GIF of up to 256 KB,
 * uploaded at once through POST /api/uploads (the server decides the type by
 * the bytes, not the name, and refuses SVG). The form then saves the upload's
 * id. The preview of a file just chosen is a data: URL of the local file; a
 * saved logo is shown from the app.
 */
import { useRef, useState } from "react";
import { ImageUp, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { uploadFile } from "@/components/uploads/upload-file";
import { IntegrationLogo } from "./integration-logo";

const LOGO_MAX_BYTES = 256 * 1024;
const LOGO_ACCEPT = "image/png,image/jpeg,image/webp,image/gif";

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function LogoField({
  integrationId,
  name,
  value,
  saved,
  error,
  onChange,
  onBusyChange,
}: {
  integrationId?: string;
  name: string;
  /** The upload id the form will save (null: no logo). */
  value: string | null;
  /** The upload id stored now, shown from the app. */
  saved: string | null;
  error?: string[];
  onChange: (uploadId: string | null) => void;
  onBusyChange: (busy: boolean) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onPick(file: File | undefined) {
    if (input.current) input.current.value = "";
    if (!file) return;
    setProblem(null);
    if (file.size > LOGO_MAX_BYTES) {
      setProblem(`"${file.name}" is ${(file.size / 1024).toFixed(0)} KB; a logo may be at most 256 KB.`);
      return;
    }
    setBusy(true);
    onBusyChange(true);
    try {
      const upload = await uploadFile(file, "logo", () => undefined);
      setPreview(await readAsDataUrl(file).catch(() => null));
      onChange(upload.id);
    } catch (e) {
      setProblem((e as Error).message);
    } finally {
      setBusy(false);
      onBusyChange(false);
    }
  }

  const showing = value === null ? null : value === saved ? { src: undefined } : { src: preview };
  const messages = [problem, ...(error ?? [])].filter(Boolean) as string[];
  return (
    <div className="grid gap-2">
      <span id="logo-label" className="text-sm font-medium">
        Logo
      </span>
      <div className="flex flex-wrap items-center gap-3">
        {showing ? (
          <IntegrationLogo
            integrationId={integrationId}
            logoUploadId={value}
            name={name || "?"}
            src={showing.src}
            size={40}
            className="rounded border"
          />
        ) : (
          <IntegrationLogo name={name || "?"} size={40} className="rounded border" />
        )}
        <input
          ref={input}
          id="logo-file"
          type="file"
          accept={LOGO_ACCEPT}
          className="sr-only"
          aria-labelledby="logo-label"
          onChange={(e) => void onPick(e.target.files?.[0])}
        />
        <Button type="button" variant="outline" size="sm" disabled={busy} onClick={() => input.current?.click()}>
          <ImageUp aria-hidden="true" /> {busy ? "Uploading…" : value ? "Replace logo" : "Upload logo"}
        </Button>
        {value ? (
          <Button
            type="button"
            variant="ghost"
            size="sm"
            onClick={() => {
              setProblem(null);
              onChange(null);
            }}
          >
            <X aria-hidden="true" /> Remove
          </Button>
        ) : null}
      </div>
      <p className="text-sm text-muted-foreground">
        PNG, JPEG, WebP or GIF, up to 256 KB; shown next to the name. Without one, the initials are shown.
      </p>
      {messages.length ? (
        <p role="alert" id="logo-error" className="text-sm text-destructive">
          {messages.join(" ")}
        </p>
      ) : null}
    </div>
  );
}
