export { loadConfig, ConfigError, defaultConfigPath } from './load';
export { roles, type Config, type Role, type ApiKey } from './schema';
