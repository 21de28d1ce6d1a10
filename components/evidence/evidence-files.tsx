"use client";

/**
 * The files of an evidence save: pick up to 10, each uploads at once with its
 * own progress bar, and the server's verdict (type by content, size) shows
 * next to the file by name. Only files that uploaded are sent with the save.
 */
import { useRef, useState } from "react";
import { FileCheck2, Paperclip, X } from "lucide-react";
import { uploadFile, type UploadSummary } from "@/components/uploads/upload-file";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import { EVIDENCE_ACCEPT, EVIDENCE_MAX_BYTES, MAX_EVIDENCE_FILES } from "@/lib/uploads/limits";
import { formatBytes } from "@/lib/format";

type Item = { key: number; name: string; size: number; progress: number; error?: string; upload?: UploadSummary };

let seq = 0;

export function EvidenceFiles({
  initial = [],
  onChange,
  onBusyChange,
}: {
  /** Files already uploaded for this save (shown again when the step is revisited). */
  initial?: UploadSummary[];
  onChange: (uploads: UploadSummary[]) => void;
  onBusyChange: (busy: boolean) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<Item[]>(() =>
    initial.map((u) => ({ key: ++seq, name: u.filename, size: u.size, progress: 1, upload: u })),
  );
  const [notice, setNotice] = useState<string | null>(null);
  const itemsRef = useRef<Item[]>(items);

  function update(next: Item[]) {
    itemsRef.current = next;
    setItems(next);
    onChange(next.flatMap((i) => (i.upload ? [i.upload] : [])));
    onBusyChange(next.some((i) => !i.upload && !i.error));
  }
  function patch(key: number, change: Partial<Item>) {
    update(itemsRef.current.map((i) => (i.key === key ? { ...i, ...change } : i)));
  }

  function onPick(list: FileList | null) {
    if (!list) return;
    setNotice(null);
    const kept = itemsRef.current.filter((i) => !i.error);
    const room = MAX_EVIDENCE_FILES - kept.length;
    const files = Array.from(list);
    const refused: string[] = [];
    if (files.length > room)
      refused.push(
        `At most ${MAX_EVIDENCE_FILES} files per sync: ${files
          .slice(Math.max(room, 0))
          .map((f) => `"${f.name}"`)
          .join(", ")} not added.`,
      );
    const added: Item[] = [];
    for (const file of files.slice(0, Math.max(room, 0))) {
      const item: Item = { key: ++seq, name: file.name, size: file.size, progress: 0 };
      if (file.size === 0) item.error = `"${file.name}" is empty.`;
      else if (file.size > EVIDENCE_MAX_BYTES)
        item.error = `"${file.name}" is ${formatBytes(file.size)}; the limit is ${formatBytes(EVIDENCE_MAX_BYTES)}.`;
      added.push(item);
    }
    update([...itemsRef.current, ...added]);
    for (const [i, item] of added.entries()) {
      if (item.error) continue;
      void uploadFile(files[i], "evidence", (p) => patch(item.key, { progress: p }))
        .then((upload) => patch(item.key, { upload, progress: 1 }))
        .catch((e: Error) => patch(item.key, { error: e.message }));
    }
    if (refused.length) setNotice(refused.join(" "));
    if (input.current) input.current.value = "";
  }

  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <input
          ref={input}
          id="evidence-files"
          type="file"
          multiple
          accept={EVIDENCE_ACCEPT}
          className="sr-only"
          aria-label="Evidence files"
          onChange={(e) => onPick(e.target.files)}
        />
        <Button type="button" variant="outline" size="sm" onClick={() => input.current?.click()}>
          <Paperclip aria-hidden="true" /> Add files
        </Button>
        <span className="text-sm text-muted-foreground">PDF, PNG, JPG, CSV, Excel, Word or JSON · up to 10 files of 25 MB</span>
      </div>
      {notice ? (
        <p role="alert" className="text-sm text-destructive">
          {notice}
        </p>
      ) : null}
      {items.length ? (
        <ul className="grid gap-2" aria-label="Evidence files to attach">
          {items.map((item) => (
            <li key={item.key} className="grid gap-1 rounded-md border p-2">
              <div className="flex items-center gap-2 text-sm">
                {item.upload ? (
                  <FileCheck2 aria-hidden="true" className="size-4 text-emerald-600" />
                ) : (
                  <Paperclip aria-hidden="true" className="size-4" />
                )}
                <span className="min-w-0 flex-1 truncate font-medium">{item.name}</span>
                <span className="text-muted-foreground tabular-nums">{formatBytes(item.size)}</span>
                {item.upload ? (
                  <span className="font-mono text-xs text-muted-foreground" title="SHA-256">
                    {item.upload.sha256.slice(0, 12)}…
                  </span>
                ) : null}
                <Button
                  type="button"
                  variant="ghost"
                  size="icon"
                  aria-label={`Remove ${item.name}`}
                  onClick={() => update(itemsRef.current.filter((i) => i.key !== item.key))}
                >
                  <X aria-hidden="true" />
                </Button>
              </div>
              {!item.upload && !item.error ? (
                <Progress value={Math.round(item.progress * 100)} aria-label={`Uploading ${item.name}`} />
              ) : null}
              {item.error ? (
                <p role="alert" className="text-sm text-destructive">
                  {item.error}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
