import { joinNames, organisationDisplayName, type NamedOrganisation } from './organisation-names';

const dissolved = new Date('2028-04-01T00:00:00Z');
const map = (...organisations: NamedOrganisation[]) => new Map(organisations.map((o) => [o.id, o]));

describe('organisationDisplayName', () => {
  it('names a living organisation by its name', () => {
    expect(organisationDisplayName('a', map({ id: 'a', name: 'North Wold Council' }))).toBe('North Wold Council');
  });

  it('names a dissolved organisation by its successor', () => {
    const byId = map({ id: 'a', name: 'Northshire County Council', dissolvedAt: dissolved, successorOrganisationIds: ['b'] }, { id: 'b', name: 'North Wold Council' });
    expect(organisationDisplayName('a', byId)).toBe('Former Northshire County Council (now North Wold Council)');
  });

  it('names several successors with "and"', () => {
    const byId = map(
      { id: 'a', name: 'Northshire County Council', dissolvedAt: dissolved, successorOrganisationIds: ['b', 'c'] },
      { id: 'b', name: 'North Wold Council' },
      { id: 'c', name: 'South Wold Council' },
    );
    expect(organisationDisplayName('a', byId)).toBe('Former Northshire County Council (now North Wold Council and South Wold Council)');
  });

  it('follows a chain to the current successors', () => {
    const byId = map(
      { id: 'a', name: 'Eastdale District Council', dissolvedAt: dissolved, successorOrganisationIds: ['b'] },
      { id: 'b', name: 'North Wold Council', dissolvedAt: dissolved, successorOrganisationIds: ['c'] },
      { id: 'c', name: 'Wold Combined Council' },
    );
    expect(organisationDisplayName('a', byId)).toBe('Former Eastdale District Council (now Wold Combined Council)');
  });

  it('joins three names with commas and "and"', () => {
    expect(joinNames(['A', 'B', 'C'])).toBe('A, B and C');
  });
});
