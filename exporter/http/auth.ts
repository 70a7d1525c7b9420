/** Bearer-token check for the API (and /metrics when asked), in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares digests so neither the token's content nor its length leaks through timing. */
export function tokenMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}

export function requireBearer(token: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m && tokenMatches(token, m[1])) {
      next();
      return;
    }
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="ciliumscope"')
      .json({ error: header ? 'invalid bearer token' : 'missing bearer token: send "Authorization: Bearer <token>"' });
  };
}
