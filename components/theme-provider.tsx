"use client";

import type * as React from "react";
import { ThemeProvider as NextThemesProvider } from "next-themes";

type ThemeProviderProps = Omit<React.ComponentProps<typeof NextThemesProvider>, "children"> & {
  children: React.ReactNode;
};

/**
 * next-themes provider with SyncLedger defaults (class strategy, follows the OS by default).
 * Wrap the app in the root layout: `<html suppressHydrationWarning><body><ThemeProvider>…`.
 */
function ThemeProvider({ children, ...props }: ThemeProviderProps) {
  return (
    <NextThemesProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange {...props}>
      {children}
    </NextThemesProvider>
  );
}

export { ThemeProvider };
