/** A tiny method + path-template router: templates like "/v1/orders/{id}" capture `id`. */

export type RouteMatch<Handler> = { template: string; params: Record<string, string>; handler: Handler };

type Route<Handler> = {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
};

export class Router<Handler> {
  private readonly routes: Route<Handler>[] = [];

  add(method: string, template: string, handler: Handler): this {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    this.routes.push({ method, template, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  match(method: string, path: string): RouteMatch<Handler> | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1] ?? "");
      });
      return { template: route.template, params, handler: route.handler };
    }
    return null;
  }
}
