import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { AppError } from '../../../common/errors';

/** Bundle paths stay in main: the window holds an opaque id for each file chosen or typed. */
export class BundleRegistry {
  private readonly byId = new Map<string, string>();

  register(path: string): string {
    const abs = resolve(path);
    for (const [id, p] of this.byId) if (p === abs) return id;
    const id = `b-${randomBytes(6).toString('hex')}`;
    this.byId.set(id, abs);
    return id;
  }

  path(id: string): string {
    const p = this.byId.get(id);
    if (!p)
      throw new AppError({
        code: 'NOT_FOUND',
        message: 'That bundle is no longer known to the installer.',
        fix: 'Choose the bundle again.',
      });
    return p;
  }
}
