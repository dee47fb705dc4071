export default ["packages/*", "apps/*", "scripts/docs"]
