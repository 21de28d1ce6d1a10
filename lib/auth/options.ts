/**
 * next-auth configuration: email + password (argon2, throttled) and, when
 * configured, OpenID Connect single sign-on for users who already exist.
 * Sessions are JWTs carrying the user id, current tenant and role; every
 * server-side check re-reads the membership from the database.
 */
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { getConfig } from "@/lib/config";
import { getUserByEmail } from "@/db/queries/members";
import { isAppError } from "@/lib/errors";
import { requestMetaFrom } from "@/lib/http/request-meta";
import { endSessions, sessionClaimsFor, verifyCredentials } from "./login";
import { safeRedirectPath } from "./redirect-target";
import { switchedTenantToken } from "./tenant-switch";

function headersFrom(req: { headers?: Record<string, unknown> } | undefined): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req?.headers ?? {})) {
    if (typeof v === "string") h.set(k, v);
  }
  return h;
}

function oidcProvider(): NextAuthOptions["providers"] {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME } = getConfig();
  if (!OIDC_ISSUER || !OIDC_CLIENT_ID || !OIDC_CLIENT_SECRET) return [];
  return [
    {
      id: "oidc",
      name: OIDC_NAME,
      type: "oauth",
      wellKnown: `${OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: OIDC_CLIENT_ID,
      clientSecret: OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      async profile(profile: { sub: string; email?: string; name?: string }) {
        const user = profile.email ? await getUserByEmail(getDb(), profile.email) : null;
        if (!user?.active) {
          // Unknown identities may not sign in: membership is granted by an admin.
          return {
            id: `unknown:${profile.sub}`,
            email: profile.email ?? "",
            name: "",
            isPlatformAdmin: false,
            tenantId: null,
            role: null,
            sessionVersion: 0,
          };
        }
        return sessionClaimsFor(user);
      },
    },
  ];
}

const SESSION_MAX_AGE = 8 * 60 * 60;
const secureCookies = (getConfig().NEXTAUTH_URL ?? "").startsWith("https://");

/**
 * The session cookie, declared rather than left to next-auth's defaults so that
 * the sign-in action, which writes it itself, uses the very same name and
 * attributes. Name and prefix are next-auth's own, which middleware's getToken
 * also derives from NEXTAUTH_URL.
 */
export const sessionCookie = {
  name: `${secureCookies ? "__Secure-" : ""}next-auth.session-token`,
  options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure: secureCookies },
  maxAge: SESSION_MAX_AGE,
};

export const authOptions: NextAuthOptions = {
  secret: getConfig().NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE },
  useSecureCookies: secureCookies,
  cookies: { sessionToken: { name: sessionCookie.name, options: sessionCookie.options } },
  pages: { signIn: "/login", error: "/login" },
  providers: [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, req) {
        const meta = requestMetaFrom(headersFrom(req as { headers?: Record<string, unknown> }));
        try {
          return await verifyCredentials(credentials?.email ?? "", credentials?.password ?? "", meta.ip ?? null);
        } catch (e) {
          // next-auth shows an Error's message to the user; anything else stays in the logs.
          if (isAppError(e)) throw new Error(e.message);
          throw e;
        }
      },
    }),
    ...oidcProvider(),
  ],
  events: {
    // Sign-out ends the session on the server too: a copy of the cookie kept elsewhere stops working.
    async signOut({ token }) {
      if (token?.userId) await endSessions(token.userId);
    },
  },
  callbacks: {
    // callbackUrl comes from the query string: only same-origin paths, whatever next-auth would allow.
    async redirect({ url, baseUrl }) {
      return new URL(safeRedirectPath(url, baseUrl), baseUrl).toString();
    },
    async signIn({ user }) {
      return !user.id.startsWith("unknown:");
    },
    async jwt({ token, user, trigger, session }) {
      if (user) {
        token.userId = user.id;
        token.isPlatformAdmin = user.isPlatformAdmin;
        token.tenantId = user.tenantId;
        token.role = user.role;
        token.sessionVersion = user.sessionVersion;
      }
      // useSession().update({ tenantId }) from the tenant switcher; membership is checked there.
      if (trigger === "update") return switchedTenantToken(token, session);
      return token;
    },
    async session({ session, token }) {
      session.user = {
        id: token.userId ?? "",
        email: token.email ?? "",
        name: token.name ?? "",
        isPlatformAdmin: token.isPlatformAdmin ?? false,
        tenantId: token.tenantId ?? null,
        role: token.role ?? null,
        sessionVersion: token.sessionVersion ?? 0,
      };
      return session;
    },
  },
};
