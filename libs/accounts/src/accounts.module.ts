/** The accounts feature: its tables, repository, services and limiters, for the apps to import. */
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganisationEntity } from './organisation.entity';
import { UserEntity } from './user.entity';
import { AccountsSubjectAccess } from './accounts.subject-access';
import { WebSessionEntity } from './web-session.entity';
import { PersonalAccessTokenEntity } from './personal-access-token.entity';
import { PersonalAccessTokensService } from './personal-access-tokens.service';
import { IdentityProvidersService } from './oidc/identity-providers.service';
import { OidcSignInService } from './oidc/oidc-sign-in.service';
import { IdentityProviderDomainEntity, IdentityProviderEntity, UserIdentityEntity } from './oidc/identity-provider.entity';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { LoginLimiter } from './login-limiter';
import { ReadLimiter } from './read-limiter';
import { WriteLimiter } from './write-limiter';
import { TokenService } from './token.service';
import { WebSessionsService } from './web-sessions.service';

/** The tables this feature owns, registered with the data source by its module. */
export const ACCOUNTS_ENTITIES = [OrganisationEntity, UserEntity, WebSessionEntity, PersonalAccessTokenEntity, IdentityProviderEntity, IdentityProviderDomainEntity, UserIdentityEntity];

/** The services this feature provides and exports (its repository stays its own). */
const ACCOUNTS_SERVICES = [
  AccountsSubjectAccess,
  AccountsService,
  TokenService,
  LoginLimiter,
  WriteLimiter,
  ReadLimiter,
  WebSessionsService,
  PersonalAccessTokensService,
  IdentityProvidersService,
  OidcSignInService,
];

@Module({
  imports: [JwtModule.register({}), TypeOrmModule.forFeature(ACCOUNTS_ENTITIES)],
  providers: [AccountsRepository, ...ACCOUNTS_SERVICES],
  exports: ACCOUNTS_SERVICES,
})
export class AccountsModule {}
