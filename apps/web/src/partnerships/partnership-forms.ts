/** What the partnership pages' forms share: the partnership's id in the path and the words for a bad choice. */
import { Param } from '@nestjs/common';
import { IdPipe } from '@app/http';

/** The partnership's id in the path, refused as the API refuses it when it is not one. */
export const PartnershipId = () => Param('id', new IdPipe('partnership'));

/** The page's words for a list of ids that were not chosen from the list it offered. */
export const fromTheList = (field: string) => ({ field, text: 'Choose from the list' });
