import { finished } from 'node:stream/promises';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiProperty,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { Principal } from '@app/accounts';
import { DomainError, TooLarge, UnsupportedType, ValidationFailed } from '@app/domain';
import { ALLOWED_TYPES, ATTACHMENT_SUBJECTS, AttachmentSubject, AttachmentView, AttachmentsService, WithdrawAttachmentDto } from '@app/evidence';
import { IdPipe } from '@app/http';
import { Caller } from '../http/auth.guard';

export class AttachmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'The file’s name as uploaded, made safe (no path or control characters; the sniffed type’s extension); "[erased]" once its uploader is erased' }) name!: string;
  @ApiProperty({ enum: Object.keys(ALLOWED_TYPES), description: 'The type sniffed from the bytes' }) mediaType!: string;
  @ApiProperty() bytes!: number;
  @ApiProperty({ description: 'SHA-256 of the bytes (lower-case hex), as chained in the ATTACHED history entry' }) sha256!: string;
  @ApiProperty({ enum: ATTACHMENT_SUBJECTS }) subject!: AttachmentSubject;
  @ApiProperty({ type: String, nullable: true, description: 'A revision’s number, an option’s id, a progress report’s history position (seq); null for the review' }) subjectId!: string | null;
  @ApiProperty({ format: 'uuid', description: 'Who uploaded it' }) uploadedBy!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() withdrawn!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) withdrawnAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) withdrawnBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) withdrawnReason!: string | null;
  @ApiProperty({ description: 'Its uploader was erased: the bytes are gone, the sha256 stays' }) erased!: boolean;
}

export class AttachmentListDto {
  @ApiProperty({ type: [AttachmentDto] }) items!: AttachmentDto[];
}

const iso = (at: Date | null) => (at ? at.toISOString() : null);
const mapAttachment = (a: AttachmentView): AttachmentDto => ({ ...a, at: a.at.toISOString(), withdrawnAt: iso(a.withdrawnAt) });

/** What @fastify/multipart and busboy throw, as the domain's errors (their own would answer 500). */
function multipartError(error: unknown, maxBytes: string): unknown {
  if (error instanceof DomainError) return error;
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new TooLarge(`The file is larger than the limit of ${maxBytes}.`);
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return new UnsupportedType('Send the file as multipart/form-data, in a field named file.');
  if ((typeof code === 'string' && code.startsWith('FST_')) || (error instanceof Error && /multipart|form|part|boundary/i.test(error.message))) {
    return new ValidationFailed([{ field: 'body', message: 'is not a multipart/form-data body of the fields subject, subjectId and file' }]);
  }
  return error;
}

@ApiTags('cycles')
@ApiBearerAuth()
@Controller('v1/cycles/:id/attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post()
  @ApiOperation({
    summary: 'Attach a file to a problem revision, an option, a progress report or the learning review',
    description:
      'By the users of the cycle’s co-owners and its review panel (403 for anyone else who sees it; 404 for those who do not). `multipart/form-data` with the fields `subject` and `subjectId` ' +
      'first, then `file`. The type is sniffed from the bytes: PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG, and CSV or plain text (`.csv`, `.txt`: UTF-8 without NULs); anything else 415. ' +
      'Larger than ATTACHMENT_MAX_BYTES (default 20 MB): 413. Either way nothing is stored. An ATTACHED entry with the sha256 (the name sealed) is chained in the cycle’s history. ' +
      'ATTACHMENT_UPLOADS_PER_MINUTE per person (429).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['subject', 'file'],
      properties: {
        subject: { type: 'string', enum: [...ATTACHMENT_SUBJECTS] },
        subjectId: { type: 'string', description: 'A revision’s number, an option’s id or a progress report’s seq (none for review)' },
        file: { type: 'string', format: 'binary' },
      },
    },
  })
  @ApiCreatedResponse({ type: AttachmentDto })
  @ApiPayloadTooLargeResponse({ description: 'Larger than ATTACHMENT_MAX_BYTES' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not one of the accepted types (read from the bytes)' })
  @ApiTooManyRequestsResponse({ description: 'More uploads than ATTACHMENT_UPLOADS_PER_MINUTE' })
  async upload(@Caller() caller: Principal, @Param('id', new IdPipe('cycle')) id: string, @Req() request: FastifyRequest): Promise<AttachmentDto> {
    if (!request.isMultipart()) throw new UnsupportedType('Send the file as multipart/form-data, in a field named file.');
    const fields: { subject?: string; subjectId?: string } = {};
    let file: MultipartFile | undefined;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file') throw new ValidationFailed([{ field: part.fieldname, message: 'is not a field of this form (the file goes in file)' }]);
          file = part;
          break;
        }
        if (part.fieldname === 'subject' || part.fieldname === 'subjectId') fields[part.fieldname] = String(part.value);
      }
      if (!file) throw new ValidationFailed([{ field: 'file', message: 'must be sent (after subject and subjectId)' }]);
      const upload = file;
      const { subject, subjectId } = await this.attachments.checkUpload(caller, id, fields).catch(async (error: unknown) => {
        // Refused before reading: the rest of the body is read and dropped, so the client hears the answer.
        upload.file.resume();
        await finished(upload.file).catch(() => undefined);
        throw error;
      });
      return mapAttachment(await this.attachments.store(caller, id, subject, subjectId, { ...fields, name: upload.filename, bytes: upload.file }));
    } catch (error) {
      throw multipartError(error, this.attachments.describeLimit());
    }
  }

  @Get()
  @ApiOperation({ summary: 'The cycle’s attachments, oldest first (withdrawn ones with withdrawn=true)' })
  @ApiQuery({ name: 'withdrawn', required: false, enum: ['true', 'false'] })
  @ApiOkResponse({ type: AttachmentListDto })
  async list(@Caller() caller: Principal, @Param('id', new IdPipe('cycle')) id: string, @Query('withdrawn') withdrawn?: string): Promise<AttachmentListDto> {
    if (withdrawn !== undefined && withdrawn !== 'true' && withdrawn !== 'false') throw new ValidationFailed([{ field: 'withdrawn', message: 'must be true or false' }]);
    return { items: (await this.attachments.list(caller, id, { withdrawn: withdrawn === 'true' })).map(mapAttachment) };
  }

  @Get(':attachmentId')
  @ApiOperation({
    summary: 'Download an attachment’s bytes',
    description:
      'To those who may see the cycle (404 otherwise), with `Content-Disposition: attachment` (RFC 6266, the name in filename*), the sniffed type and `X-Content-Type-Options: nosniff`. ' +
      'A withdrawn attachment: to the commissioners’ users only; an erased one: to nobody (404).',
  })
  @ApiProduces(...Object.keys(ALLOWED_TYPES))
  @ApiOkResponse({ description: 'The bytes', schema: { type: 'string', format: 'binary' } })
  async download(
    @Caller() caller: Principal,
    @Param('id', new IdPipe('cycle')) id: string,
    @Param('attachmentId', new IdPipe('attachment')) attachmentId: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const file = await this.attachments.download(caller, id, attachmentId);
    await reply.status(200).headers(file.headers).send(file.body);
  }

  @Post(':attachmentId/withdraw')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Withdraw an attachment, with a reason: a commissioner’s user (403 otherwise)',
    description: 'Hidden from the list and the page (kept in the record, with who, when and why); an ATTACHMENT_WITHDRAWN entry (the sha256, the reason sealed) is chained in the cycle’s history.',
  })
  @ApiOkResponse({ type: AttachmentDto })
  async withdraw(
    @Caller() caller: Principal,
    @Param('id', new IdPipe('cycle')) id: string,
    @Param('attachmentId', new IdPipe('attachment')) attachmentId: string,
    @Body() body: WithdrawAttachmentDto,
  ): Promise<AttachmentDto> {
    return mapAttachment(await this.attachments.withdraw(caller, id, attachmentId, body));
  }
}
