import { Param } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { IdPipe } from '@app/http';
import type { FormError } from '../views/filters';

/** The partnership's id in the path, refused as the API refuses it when it is not one. */
export const PartnershipId = () => Param('id', new IdPipe('partnership'));
export const lines = (value: unknown) =>
  (typeof value === 'string' ? value : '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
export const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : typeof value === 'string' && value ? [value] : []);
/** Fields that hold ids of a list the page offered: anything else was not chosen from it. */
export const ID_FIELDS = ['memberOrganisationIds', 'commissionerOrganisationIds', 'providerOrganisationIds', 'communityOrganisationIds', 'panelUserIds', 'facilitatorUserIds', 'outcomeIds'];
export const notFromTheList = (body: Record<string, unknown>): FormError[] =>
  ID_FIELDS.filter((f) => list(body[f]).some((id) => !isUUID(id))).map((f) => ({ field: f === 'memberOrganisationIds' ? 'partnership-members' : f, text: 'Choose from the list' }));
