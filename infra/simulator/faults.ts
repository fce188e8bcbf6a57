import { z } from "zod";
import { deriveRandom, type Random } from "./random";

/**
 * Seeded fault injection, switchable at run time. A rule applies to a request when its route matches, it has
 * applications left (`count`, unlimited when absent) and a seeded draw falls under its `rate`.
 * - error_before_commit: answer 5xx (`status`, default 503) without doing anything.
 * - error_after_commit: do the work (the receipt is stored), then answer 5xx (`status`, default 502), as a
 *   proxy or gateway in front of the API does when the API was slow.
 * - timeout_after_commit: do the work (the receipt is stored), then never answer: the socket is held until
 *   the client gives up (`timeoutMode: "hold"`, default) or destroyed at once (`"destroy"`).
 * - rate_limit: 429 with `Retry-After: retryAfterSeconds` (default 1), nothing done.
 * - latency: wait `latencyMs` before handling (several latency rules add up).
 * `routes` entries are "METHOD /template" (e.g. "POST /v1/receipts", "GET /v1/orders/{id}") or a bare
 * "/template" for any method; without `routes` a rule applies to every /v1 route.
 */

export const FaultRuleSchema = z.object({
  kind: z.enum([
    "error_before_commit",
    "error_after_commit",
    "timeout_after_commit",
    "rate_limit",
    "latency",
  ]),
  rate: z.number().min(0).max(1).default(1),
  routes: z.array(z.string().min(1)).optional(),
  count: z.number().int().min(0).optional(),
  status: z.number().int().min(500).max(599).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  latencyMs: z.number().int().min(0).optional(),
  timeoutMode: z.enum(["hold", "destroy"]).optional(),
});
export type FaultRuleInput = z.input<typeof FaultRuleSchema>;
export type FaultRule = z.output<typeof FaultRuleSchema>;
export type FaultKind = FaultRule["kind"];

export const FaultRulesBodySchema = z.object({ rules: z.array(FaultRuleSchema) });

export type FaultPlan = {
  latencyMs: number;
  rateLimit: FaultRule | null;
  errorBeforeCommit: FaultRule | null;
  errorAfterCommit: FaultRule | null;
  timeoutAfterCommit: FaultRule | null;
};

export type FaultsState = { seed: number; rules: FaultRule[]; injected: Record<FaultKind, number> };

function emptyCounts(): Record<FaultKind, number> {
  return {
    error_before_commit: 0,
    error_after_commit: 0,
    timeout_after_commit: 0,
    rate_limit: 0,
    latency: 0,
  };
}

export class FaultInjector {
  private random: Random;
  private rules: FaultRule[] = [];
  private injected = emptyCounts();

  constructor(private readonly seed: number) {
    this.random = deriveRandom(seed, "faults");
  }

  /** Replaces the rules and restarts the seeded stream, so the same rules replay the same faults. */
  setRules(rules: readonly FaultRuleInput[]): FaultRule[] {
    this.rules = rules.map((rule) => FaultRuleSchema.parse(rule));
    this.random = deriveRandom(this.seed, "faults");
    return this.state().rules;
  }

  reset(): void {
    this.setRules([]);
    this.injected = emptyCounts();
  }

  state(): FaultsState {
    return {
      seed: this.seed,
      rules: this.rules.map((rule) => ({ ...rule })),
      injected: { ...this.injected },
    };
  }

  plan(method: string, routeTemplate: string): FaultPlan {
    const plan: FaultPlan = {
      latencyMs: 0,
      rateLimit: null,
      errorBeforeCommit: null,
      errorAfterCommit: null,
      timeoutAfterCommit: null,
    };
    for (const rule of this.rules) {
      if (!this.routeMatches(rule, method, routeTemplate)) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (!(this.random() < rule.rate)) continue;
      if (rule.count !== undefined) rule.count -= 1;
      this.injected[rule.kind] += 1;
      switch (rule.kind) {
        case "latency":
          plan.latencyMs += rule.latencyMs ?? 0;
          break;
        case "rate_limit":
          plan.rateLimit ??= rule;
          break;
        case "error_before_commit":
          plan.errorBeforeCommit ??= rule;
          break;
        case "error_after_commit":
          plan.errorAfterCommit ??= rule;
          break;
        case "timeout_after_commit":
          plan.timeoutAfterCommit ??= rule;
          break;
      }
    }
    return plan;
  }

  private routeMatches(rule: FaultRule, method: string, routeTemplate: string): boolean {
    if (!rule.routes) return routeTemplate.startsWith("/v1/");
    return rule.routes.some((route) =>
      route.startsWith("/") ? route === routeTemplate : route === `${method} ${routeTemplate}`,
    );
  }
}
