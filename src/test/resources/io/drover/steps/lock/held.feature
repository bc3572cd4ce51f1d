Feature: A deploy of hosts another run holds
  Scenario: Deploy the German dev servers
    Given I want to update hosts with class roles::dev_server
    And I want to update hosts with fact country=de
    And I wait up to 2 seconds for other deploys to finish
    And I want to pre-discover how many hosts to update
    Then the nrpe check check_load should pass
