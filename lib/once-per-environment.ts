/**
 * Builds a function's collaborators on its first invocation and hands the same ones to every later invocation
 * of the execution environment. A failed build (a bad variable, an unreadable stores file) is not kept, so the
 * next invocation tries again once the configuration is fixed. A module of its own: the receiver uses it and
 * must not bundle lib/runtime.ts (DynamoDB, the Acelérala client and classic zod).
 */
export function oncePerEnvironment<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    if (!built) {
      const attempt = build();
      built = attempt;
      attempt.catch(() => {
        if (built === attempt) built = undefined;
      });
    }
    return built;
  };
}
