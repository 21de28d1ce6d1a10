import type * as React from "react";
import { ChevronDownIcon } from "lucide-react";

import { cn } from "@/lib/utils";

type NativeSelectProps = Omit<React.ComponentProps<"select">, "size"> & {
  /** Control height. */
  size?: "sm" | "default";
  /** Classes for the wrapping element (use for width/layout, e.g. "w-48"). */
  className?: string;
  /** Classes for the `<select>` element itself. */
  selectClassName?: string;
};

/**
 * A styled native `<select>`. Unlike the Radix Select it submits in plain (GET) forms and works
 * without JavaScript — use it for filter bars and other progressive-enhancement forms.
 * Server-safe (no hooks).
 */
function NativeSelect({ className, selectClassName, size = "default", multiple, ...props }: NativeSelectProps) {
  return (
    <div
      data-slot="native-select-wrapper"
      className={cn("group/native-select relative inline-flex w-fit min-w-0 has-[select:disabled]:opacity-50", className)}
    >
      <select
        data-slot="native-select"
        data-size={size}
        multiple={multiple}
        className={cn(
          "w-full min-w-0 appearance-none rounded-md border border-input bg-transparent pr-8 pl-3 text-sm shadow-xs transition-[color,box-shadow] outline-none dark:bg-input/30 dark:hover:bg-input/50",
          "data-[size=default]:h-9 data-[size=sm]:h-8 data-[size=sm]:py-0.5",
          "disabled:pointer-events-none disabled:cursor-not-allowed",
          "focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50",
          "aria-invalid:border-destructive aria-invalid:ring-destructive/20 dark:aria-invalid:ring-destructive/40",
          "[&>option]:bg-popover [&>option]:text-popover-foreground",
          multiple && "h-auto py-1 pr-3",
          selectClassName,
        )}
        {...props}
      />
      {multiple ? null : (
        <ChevronDownIcon
          aria-hidden="true"
          data-slot="native-select-icon"
          className="pointer-events-none absolute top-1/2 right-2.5 size-4 -translate-y-1/2 text-muted-foreground select-none"
        />
      )}
    </div>
  );
}

function NativeSelectOption(props: React.ComponentProps<"option">) {
  return <option data-slot="native-select-option" {...props} />;
}

function NativeSelectOptGroup({ className, ...props }: React.ComponentProps<"optgroup">) {
  return <optgroup data-slot="native-select-optgroup" className={cn(className)} {...props} />;
}

export { NativeSelect, NativeSelectOption, NativeSelectOptGroup, type NativeSelectProps };
