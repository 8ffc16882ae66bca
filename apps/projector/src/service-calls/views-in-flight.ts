import { RecencyBoundedMap } from '@app/common/collections';
import { ServiceCallView } from '@app/common/read-model';

const SETTLED = new Set<ServiceCallView['status']>(['Succeeded', 'Failed', 'Cancelled']);
const DEFAULT_CAPACITY = 10_000;

/**
 * The views this projector wrote last for calls still under way, so that the next event of such a
 * call folds onto the view in memory instead of one read back from the table: a statement less per
 * batch. A kept view is used only for the event of the very next version. A view is a function of
 * its stream's events alone, so the view kept at version n is the one the table holds, or held, at
 * n, whoever wrote the row since. Any gap (a rebalance, a restart, an eviction, a redelivery from
 * further back) sends the call back to the table.
 */
export class ViewsInFlight {
  private readonly views: RecencyBoundedMap<ServiceCallView>;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.views = new RecencyBoundedMap(capacity);
  }

  /** The view an event of `version` folds onto, when the one kept is the version just before it. */
  before(key: string, version: number): ServiceCallView | undefined {
    const view = this.views.get(key);
    return view?.version === version - 1 ? view : undefined;
  }

  /**
   * Keeps the view a batch's fold reached (the table holds it, or a newer one); a settled call's is
   * dropped, as nothing follows it.
   */
  keep(key: string, view: ServiceCallView): void {
    if (SETTLED.has(view.status)) this.views.delete(key);
    else this.views.set(key, view);
  }

  get size(): number {
    return this.views.size;
  }
}
