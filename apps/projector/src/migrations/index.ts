import { CreateProjectorTables1764000000001 } from './1764000000001-create-projector-tables';

export const PROJECTOR_MIGRATIONS = [CreateProjectorTables1764000000001];
