import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes; registered on the server from temporal-config/search-attributes.json. */
export const JobIdSearchAttribute = defineSearchAttributeKey('JobId', SearchAttributeType.KEYWORD);
export const UserIdSearchAttribute = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const JobTypeSearchAttribute = defineSearchAttributeKey('JobType', SearchAttributeType.KEYWORD);
export const JobStatusSearchAttribute = defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD);
