import { ServiceCallSubmittedData } from '@app/common/contracts';

export type ServiceCallState =
  | { readonly status: 'Initial' }
  | { readonly status: 'Scheduled'; readonly call: ServiceCallSubmittedData; readonly dueAt: string }
  | { readonly status: 'Running'; readonly call: ServiceCallSubmittedData; readonly attempt: number }
  | { readonly status: 'Succeeded'; readonly call: ServiceCallSubmittedData; readonly attempt: number }
  | { readonly status: 'Failed'; readonly call: ServiceCallSubmittedData; readonly attempt: number }
  | { readonly status: 'Cancelled'; readonly call: ServiceCallSubmittedData };

export type ServiceCallStatus = ServiceCallState['status'];

export const initialState = (): ServiceCallState => ({ status: 'Initial' });
