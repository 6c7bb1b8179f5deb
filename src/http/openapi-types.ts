/** The shapes of the OpenAPI 3.1 document, as far as this API uses them. */

export type JsonSchema = { [key: string]: unknown };

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface MediaType {
  schema: JsonSchema;
}

export interface Response {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, MediaType>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, Response | { $ref: string }>;
}

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type PathItem = Partial<Record<HttpMethod, Operation>>;

export interface Tag {
  name: string;
  description: string;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: Tag[];
  paths: Record<string, PathItem>;
  components: {
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>;
    schemas: Record<string, JsonSchema>;
    responses: Record<string, Response>;
  };
}

/**
 * What one feature adds to the document: its tag, its paths (two features may
 * add methods to one path) and any request schema worth a component. Built on
 * demand, since the document is built only on first use.
 */
export interface ApiPart {
  tag: Tag;
  paths(): Record<string, PathItem>;
  schemas?(): Record<string, JsonSchema>;
}
