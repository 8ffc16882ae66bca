import { routeLabel } from './route-label';

describe('routeLabel', () => {
  it('is the matched route template with its mount path, never the raw URL', () => {
    expect(routeLabel({ baseUrl: '', route: { path: '/v1/service-calls/:id' } })).toBe('/v1/service-calls/:id');
    expect(routeLabel({ baseUrl: '/admin', route: { path: '/dlq' } })).toBe('/admin/dlq');
  });

  it('is "unmatched" when no route took the request', () => {
    expect(routeLabel({})).toBe('unmatched');
    expect(routeLabel({ baseUrl: '/x', route: undefined })).toBe('unmatched');
  });
});
