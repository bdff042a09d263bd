import { Commands } from '../constants';
import type { Services } from '../services';
import { clearCache, openSettings, showLog, warmUp } from './cache';
import type { CommandTable } from './index';
import { installTemplate } from './installTemplate';
import { installTemplates } from './installTemplates';
import { addMarketplace, removeMarketplace, setToken } from './marketplaces';
import { verifyTemplates } from './verify';

/**
 * The install, verify, marketplace and cache commands (the sidebar's own commands live with the view,
 * Show Dashboard with the dashboard panel).
 */
export function installAndCacheCommands(services: Services): CommandTable {
  return {
    [Commands.installTemplate]: (args) => installTemplate(services, args),
    [Commands.installTemplates]: (args) => installTemplates(services, args),
    [Commands.installSelected]: (args) => installTemplates(services, args),
    [Commands.verifyTemplates]: (args) => verifyTemplates(services, args, 'all'),
    [Commands.verifySelected]: (args) => verifyTemplates(services, args, 'selection'),
    [Commands.verifyTemplate]: (args) => verifyTemplates(services, args, 'selection'),
    [Commands.addMarketplace]: (args) => addMarketplace(services, args),
    [Commands.removeMarketplace]: (args) => removeMarketplace(services, args),
    [Commands.setToken]: (args) => setToken(services, args),
    [Commands.clearCache]: (args) => clearCache(services, args),
    [Commands.warmUp]: (args) => warmUp(services, args),
    [Commands.showLog]: () => showLog(services),
    [Commands.openSettings]: (args) => openSettings(args),
  };
}
