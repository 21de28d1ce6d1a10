import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: {
      id: string;
      email: string;
      name: string;
      isPlatformAdmin: boolean;
      tenantId: string | null;
      role: string | null;
      sessionVersion: number;
    };
  }
  interface User {
    id: string;
    email: string;
    name: string;
    isPlatformAdmin: boolean;
    tenantId: string | null;
    role: string | null;
    sessionVersion: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    userId?: string;
    isPlatformAdmin?: boolean;
    tenantId?: string | null;
    role?: string | null;
    sessionVersion?: number;
  }
}
