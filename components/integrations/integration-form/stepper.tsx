"use client";

/** The form's steps as a row of buttons: the current one, those done, and those holding errors. */
import { Check } from "lucide-react";
import { cn } from "@/lib/utils";
import { STEPS } from "./payload";

export function Stepper({
  step,
  stepsWithErrors,
  onSelect,
}: {
  step: number;
  stepsWithErrors: Set<number>;
  onSelect: (step: number) => void;
}) {
  return (
    <nav aria-label="Steps">
      <ol className="flex flex-wrap items-center gap-2">
        {STEPS.map((s, i) => {
          const hasErrors = stepsWithErrors.has(i);
          return (
            <li key={s.id} className="flex items-center gap-2">
              {i > 0 ? <span aria-hidden="true" className="h-px w-6 bg-border" /> : null}
              <button
                type="button"
                onClick={() => onSelect(i)}
                aria-current={i === step ? "step" : undefined}
                className={cn(
                  "flex items-center gap-2 rounded-md px-2 py-1 text-sm outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                  i === step ? "font-semibold text-foreground" : "text-muted-foreground hover:text-foreground",
                )}
              >
                <span
                  className={cn(
                    "flex size-6 items-center justify-center rounded-full border text-xs",
                    i === step && "border-primary bg-primary text-primary-foreground",
                    i < step && !hasErrors && "border-primary text-primary",
                    hasErrors && "border-destructive text-destructive",
                  )}
                >
                  {i < step && !hasErrors ? <Check aria-hidden="true" className="size-3.5" /> : i + 1}
                </span>
                {s.title}
                {hasErrors ? <span className="sr-only"> (has errors)</span> : null}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
