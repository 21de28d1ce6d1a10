import type { Metadata } from "next";
import { headers } from "next/headers";
import { ThemeProvider } from "@/components/theme-provider";
import { Toaster } from "@/components/ui/toaster";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "SyncLedger", template: "%s · SyncLedger" },
  description: "Identity sync history, audit evidence and a tamper-evident audit log.",
};

/**
 * Rendered per request: every response carries its own script nonce (set by
 * middleware), which a page built ahead of time could not. The theme switcher's
 * inline script, which sets the theme before first paint, carries it too.
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-svh antialiased">
        <ThemeProvider nonce={nonce}>
          {children}
          <Toaster />
        </ThemeProvider>
      </body>
    </html>
  );
}
