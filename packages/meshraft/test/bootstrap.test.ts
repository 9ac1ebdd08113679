import { describe, expect, it } from 'vitest';
import { decideBootstrap } from '../src/runtime/bootstrap';

describe('decideBootstrap', () => {
  it('bootstraps a one-member group only in an empty room', () => {
    expect(decideBootstrap(undefined, true, 'a', 'normal')).toEqual({ voters: ['a'], learners: [] });
    expect(decideBootstrap(undefined, false, 'a', 'normal')).toBeUndefined();
  });
  it('lets the override win', () => {
    expect(decideBootstrap(false, true, 'a', 'normal')).toBeUndefined();
    expect(decideBootstrap(true, false, 'a', { reluctant: 2 })).toEqual({ voters: ['a'], learners: [] });
    expect(decideBootstrap({ voters: ['a', 'b', 'c'], learners: ['d'] }, false, 'a', 'normal')).toEqual({ voters: ['a', 'b', 'c'], learners: ['d'] });
  });
  it('never makes an observer the sole voter', () => {
    expect(decideBootstrap(undefined, true, 'a', 'observer')).toBeUndefined();
  });
});
