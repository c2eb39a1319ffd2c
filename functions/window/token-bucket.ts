export interface TokenBucketDeps {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface TokenBucket {
  /** Spends `n` tokens, sleeping first when the bucket would go below zero. */
  take(n: number): Promise<void>;
}

/**
 * Paces a window to `ratePerSecond` events. Called once per batch, not per
 * event, before the batch goes: a batch is spent at once, and when that
 * overdraws the bucket the sleep that repays it comes first, so the rate
 * holds over the window without a timer per row.
 * The bucket starts full with `burst` tokens and never holds more, so a slow
 * stretch (ClickHouse lagging) does not earn a later burst above the rate.
 */
export function createTokenBucket(ratePerSecond: number, burst: number, deps: TokenBucketDeps): TokenBucket {
  let tokens = burst;
  let last = deps.now();
  return {
    async take(n) {
      const now = deps.now();
      tokens = Math.min(burst, tokens + ((now - last) * ratePerSecond) / 1000);
      last = now;
      tokens -= n;
      if (tokens < 0) await deps.sleep((-tokens * 1000) / ratePerSecond);
    },
  };
}
