export { ModelSessionCache } from './model-cache';
