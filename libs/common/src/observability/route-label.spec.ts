import { routeLabel } from './route-label';

describe('routeLabel', () => {
  it('is the matched route template with its mount path, never the raw URL', () => {
    expect(routeLabel({ baseUrl: '', route: { path: '/v1/service-calls/:id', methods: { get: true } } })).toBe(
      '/v1/service-calls/:id',
    );
    expect(routeLabel({ baseUrl: '/admin', route: { path: '/dlq', methods: { post: true } } })).toBe('/admin/dlq');
  });

  it('is "unmatched" when no route took the request', () => {
    expect(routeLabel({})).toBe('unmatched');
    expect(routeLabel({ baseUrl: '/x', route: undefined })).toBe('unmatched');
  });

  it('is "unmatched" when the last route seen was a middleware mount for every method', () => {
    const everyMethod = { get: true, post: true, put: true, patch: true, delete: true, head: true, options: true };
    expect(routeLabel({ baseUrl: '', route: { path: '/{*path}', methods: everyMethod } })).toBe('unmatched');
    expect(routeLabel({ baseUrl: '', route: { path: '/{*path}', methods: { _all: true } } })).toBe('unmatched');
  });
});
